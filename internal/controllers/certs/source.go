package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"sync"
	"sync/atomic"
)

// Source provides the serving certificate and the CA bundle of the webhook
// server. [Manager] and [FileSource] implement it.
//
// To keep webhook configurations current, take the channel before reading
// the bundle, so that no change can slip in between:
//
//	for {
//		changed := src.Changed()
//		apply(src.CABundle())
//		select {
//		case <-changed:
//		case <-ctx.Done():
//			return
//		}
//	}
type Source interface {
	// Run loads and keeps the certificate current until ctx ends; it returns
	// nil when ctx ends. It must be called once.
	Run(ctx context.Context) error
	// WaitReady blocks until a serving certificate is loaded, or returns
	// ctx's error.
	WaitReady(ctx context.Context) error
	// GetCertificate is tls.Config.GetCertificate: the current serving pair.
	// It is lock-free and fails only before the first pair is loaded.
	GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// CABundle is the PEM bundle for the caBundle of webhook configurations,
	// nil before the first pair is loaded. The caller owns the returned slice.
	CABundle() []byte
	// Changed returns a channel that is closed when CABundle next changes.
	// Every caller may wait on it; after it is closed, call Changed again for
	// the next change. A serving certificate renewed under the same CA does
	// not close it.
	Changed() <-chan struct{}
}

var (
	_ Source = (*Manager)(nil)
	_ Source = (*FileSource)(nil)
)

// errNotReady is what GetCertificate returns before a pair is loaded.
var errNotReady = errors.New("certs: no serving certificate loaded yet")

// snapshot is one consistent serving pair and bundle. It is never modified
// once published.
type snapshot struct {
	pair    *tls.Certificate
	bundle  []byte
	changed chan struct{} // closed when a snapshot with another bundle replaces this one
}

// publisher holds the current snapshot for readers and implements the
// reading half of Source for both sources.
type publisher struct {
	mu        sync.Mutex // serialises publish
	cur       atomic.Pointer[snapshot]
	ready     chan struct{}
	readyOnce sync.Once
}

func newPublisher() *publisher {
	p := &publisher{ready: make(chan struct{})}
	p.cur.Store(&snapshot{changed: make(chan struct{})})
	return p
}

// publish makes pair and bundle current. It reports whether anything changed.
func (p *publisher) publish(pair *tls.Certificate, bundle []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.cur.Load()
	sameBundle := bytes.Equal(old.bundle, bundle)
	if sameBundle && old.pair != nil && bytes.Equal(old.pair.Certificate[0], pair.Certificate[0]) {
		return false
	}
	next := &snapshot{pair: pair, bundle: bytes.Clone(bundle), changed: old.changed}
	if !sameBundle {
		next.changed = make(chan struct{})
	}
	p.cur.Store(next)
	if !sameBundle {
		close(old.changed)
	}
	p.readyOnce.Do(func() { close(p.ready) })
	return true
}

// current is the serving pair now published, nil before the first.
func (p *publisher) current() *tls.Certificate {
	return p.cur.Load().pair
}

// GetCertificate implements [Source].
func (p *publisher) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if pair := p.cur.Load().pair; pair != nil {
		return pair, nil
	}
	return nil, errNotReady
}

// CABundle implements [Source].
func (p *publisher) CABundle() []byte {
	return bytes.Clone(p.cur.Load().bundle)
}

// Changed implements [Source].
func (p *publisher) Changed() <-chan struct{} {
	return p.cur.Load().changed
}

// WaitReady implements [Source].
func (p *publisher) WaitReady(ctx context.Context) error {
	select {
	case <-p.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
