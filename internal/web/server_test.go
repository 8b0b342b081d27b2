package web

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// blockingStore holds FindServices until released, to keep a request in
// flight.
type blockingStore struct {
	paved.Store
	once    sync.Once
	started chan struct{}
	release chan struct{}
}

func (s *blockingStore) FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error) {
	s.once.Do(func() { close(s.started) })
	<-s.release
	return s.Store.FindServices(ctx, f)
}

// TestServeGracefulShutdown: after ctx is cancelled, Serve waits for the
// request in flight, which completes normally, and then returns nil.
func TestServeGracefulShutdown(t *testing.T) {
	e := newAPIEnv(t)
	bs := &blockingStore{Store: e.db, started: make(chan struct{}), release: make(chan struct{})}
	srv, err := NewServer(Config{App: testApp(t, nil, bs, nil)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, l) }()

	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+l.Addr().String()+"/api/v1/services", nil)
		req.Header.Set("Authorization", "Bearer "+tokenOf("viewer"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()

	select {
	case <-bs.started:
	case <-time.After(10 * time.Second):
		t.Fatal("request never reached the store")
	}
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(bs.release)
	select {
	case r := <-done:
		if r.err != nil || r.status != 200 {
			t.Fatalf("in-flight request: %d %v", r.status, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request did not complete")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	// The listener is closed: new connections are refused.
	if c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("listener still accepts after shutdown")
	}
}

func TestNewServerNeedsStore(t *testing.T) {
	if _, err := NewServer(Config{}); err == nil {
		t.Fatal("NewServer without a store succeeded")
	}
}
