package web

import (
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
)

// readCache keeps the encoded answers of hot catalog reads and the results
// of token authentication, exact rather than time-limited: every change in
// paved appends an audit event, so while the audit head (the newest seq)
// is unchanged nothing a cached answer depends on has changed. One
// primary-key lookup of the head per request replaces the catalog query,
// the JSON encoding and the token lookup. It holds across replicas on
// PostgreSQL too, because the head is read from the shared database.
//
// An entry is stored under the head read before its query ran, and only
// while the cache is still at that head, so it is never older than its
// label: a write racing the query makes the next request see a newer head
// and drop the entry.
type readCache struct {
	mu      sync.Mutex
	head    int64
	answers map[string][]byte
	auth    map[string]authEntry // by token hash
}

type authEntry struct {
	user *paved.User
	tok  *paved.Token
	at   time.Time
}

const (
	maxCachedAnswers = 4096
	maxCachedTokens  = 4096
	// authTTL bounds how long a token is trusted without asking the store,
	// so that the store still records the token's last use about once a
	// minute. Revocation needs no TTL: it moves the audit head.
	authTTL = 30 * time.Second
)

func newReadCache() *readCache {
	return &readCache{answers: map[string][]byte{}, auth: map[string]authEntry{}}
}

// at brings the cache to head, dropping everything cached at another head.
// The caller holds mu.
func (c *readCache) at(head int64) {
	if head != c.head {
		c.head = head
		clear(c.answers)
		clear(c.auth)
	}
}

// answer returns the cached body for key at head.
func (c *readCache) answer(head int64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(head)
	b, ok := c.answers[key]
	return b, ok
}

// keep stores body for key if the cache is still at head.
func (c *readCache) keep(head int64, key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head {
		return
	}
	if len(c.answers) >= maxCachedAnswers {
		clear(c.answers) // crude but bounded; hot keys come straight back
	}
	c.answers[key] = body
}

func (c *readCache) token(head int64, hash string, now time.Time) (*paved.User, *paved.Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(head)
	e, ok := c.auth[hash]
	if !ok || now.Sub(e.at) > authTTL || !e.tok.Active(now) {
		return nil, nil, false
	}
	return e.user, e.tok, true
}

func (c *readCache) keepToken(head int64, hash string, u *paved.User, t *paved.Token, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head || u == nil || t == nil {
		return
	}
	if len(c.auth) >= maxCachedTokens {
		clear(c.auth)
	}
	c.auth[hash] = authEntry{user: u, tok: t, at: now}
}
