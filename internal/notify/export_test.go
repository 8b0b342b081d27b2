package notify

// Golden lets the external tests (package notify_test, which may import
// internal/config and internal/store) share the golden helper.
var Golden = golden
