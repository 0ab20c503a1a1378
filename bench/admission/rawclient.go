package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// rawClient posts to one HTTPS URL over a pool of keep-alive TLS
// connections: the caller writes the request (send) and reads the answer
// (receive) itself, so the load generator's dispatcher can put a request
// on the wire the moment it is due. net/http's client hands every request to two goroutines per
// connection (its read and write loops): on a 2-core machine shared with the
// server under test, those wake-ups cost as much CPU as the server's own
// work and show up as latency the server did not cause. This client speaks
// only what the benchmark needs: POST with a body, HTTP/1.1, a response with
// a body.
type rawClient struct {
	addr, host, path string
	tls              *tls.Config
	timeout          time.Duration
	idle             chan *rawConn
	slots            chan struct{} // one per open connection
}

type rawConn struct {
	conn *tls.Conn
	r    *bufio.Reader
	buf  []byte // the request being written
}

func newRawClient(rawURL string, maxConns int, timeout time.Duration) (*rawClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%s: want an https URL", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	return &rawClient{
		addr: addr, host: u.Host, path: u.RequestURI(), timeout: timeout,
		// TLS trust is not what is measured (Kanon's certificate is
		// self-signed).
		tls:   &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}, //nolint:gosec // see above
		idle:  make(chan *rawConn, maxConns),
		slots: make(chan struct{}, maxConns),
	}, nil
}

// send writes a POST of body on an idle connection (dialing one when none
// is idle and fewer than the maximum are open) and returns that
// connection; read the answer with receive.
func (c *rawClient) send(body []byte) (*rawConn, error) {
	rc, err := c.get()
	if err != nil {
		return nil, err
	}
	if err := rc.write(c, body); err != nil {
		c.discard(rc)
		return nil, err
	}
	return rc, nil
}

// receive reads the answer to the request sent on rc, then pools or closes
// the connection.
func (c *rawClient) receive(rc *rawConn) (int, []byte, error) {
	resp, err := http.ReadResponse(rc.r, nil)
	if err != nil {
		c.discard(rc)
		return 0, nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.discard(rc)
		return resp.StatusCode, answer, err
	}
	c.idle <- rc
	return resp.StatusCode, answer, nil
}

func (c *rawClient) discard(rc *rawConn) {
	rc.conn.Close()
	<-c.slots
}

func (c *rawClient) get() (*rawConn, error) {
	select {
	case rc := <-c.idle:
		return rc, nil
	default:
	}
	select {
	case rc := <-c.idle:
		return rc, nil
	case c.slots <- struct{}{}:
		d := &net.Dialer{Timeout: c.timeout}
		conn, err := tls.DialWithDialer(d, "tcp", c.addr, c.tls)
		if err != nil {
			<-c.slots
			return nil, err
		}
		return &rawConn{conn: conn, r: bufio.NewReaderSize(conn, 16<<10)}, nil
	}
}

func (rc *rawConn) write(c *rawClient, body []byte) error {
	if err := rc.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	rc.buf = append(rc.buf[:0], "POST "...)
	rc.buf = append(rc.buf, c.path...)
	rc.buf = append(rc.buf, " HTTP/1.1\r\nHost: "...)
	rc.buf = append(rc.buf, c.host...)
	rc.buf = append(rc.buf, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	rc.buf = strconv.AppendInt(rc.buf, int64(len(body)), 10)
	rc.buf = append(rc.buf, "\r\n\r\n"...)
	rc.buf = append(rc.buf, body...)
	_, err := rc.conn.Write(rc.buf)
	return err
}

// closeIdle closes the pooled connections.
func (c *rawClient) closeIdle() {
	for {
		select {
		case rc := <-c.idle:
			c.discard(rc)
		default:
			return
		}
	}
}
