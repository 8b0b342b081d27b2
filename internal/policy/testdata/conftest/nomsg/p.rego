package main

deny contains {"message": "no msg key"} if true
