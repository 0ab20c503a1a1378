package jmespath

import (
	"net"
	"net/url"

	"github.com/blang/semver/v4"
)

// jpSemverCompare reports whether a version satisfies a range. As in Kyverno
// an unparsable version counts as 0.0.0; an unparsable range is an error.
func jpSemverCompare(_ *Env, a []any) (any, error) {
	version, _ := semver.Parse(a[0].(string))
	inRange, err := semver.ParseRange(a[1].(string))
	if err != nil {
		return nil, err
	}
	return inRange(version), nil
}

// jpIsExternalURL reports whether the URL's host is neither a loopback nor a
// private address. Host names are resolved; the URL is external only when
// none of the addresses is loopback or private, and a failed resolution is an
// error.
func jpIsExternalURL(e *Env, a []any) (any, error) {
	u, err := url.Parse(a[0].(string))
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		return !internalIP(ip), nil
	}
	ips, err := e.cfg.lookupIP(host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if internalIP(ip) {
			return false, nil
		}
	}
	return true, nil
}

func internalIP(ip net.IP) bool { return ip.IsLoopback() || ip.IsPrivate() }
