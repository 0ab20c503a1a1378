package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// directNamespace is the namespace of the reviews posted in direct mode.
const directNamespace = "bench-direct"

func runDirect(ctx context.Context, opts options) error {
	c, err := startCluster(ctx, opts.verbose)
	if err != nil {
		return err
	}
	defer c.stop()
	if err := c.namespace(ctx, directNamespace); err != nil {
		return err
	}
	// The reviews are built before Kanon registers its webhooks.
	compliant, violating, err := c.buildReviews(ctx, 50, directNamespace)
	if err != nil {
		return err
	}
	fmt.Printf("reviews: %d compliant (%d bytes each), %d violating (%d bytes each), API-server-defaulted Pods with managed fields\n",
		len(compliant), len(compliant[0].body), len(violating), len(violating[0].body))
	url, pid := opts.url, opts.pid
	if url == "" {
		k, err := startKanon(ctx, c, opts)
		if err != nil {
			return err
		}
		defer func() {
			if err := k.stop(); err != nil {
				fmt.Println(err)
			}
		}()
		policies, err := loadPolicies(opts.corpus)
		if err != nil {
			return err
		}
		if err := c.applyPolicies(ctx, policies, opts.action); err != nil {
			return err
		}
		fmt.Printf("kanon serve: %s (pid %d, in-process %v), %d Pod Security policies Ready, validationFailureAction %q\n",
			k.url, k.pid, opts.inProcess, len(policies), opts.action)
		url, pid = k.url, k.pid
	}
	proto := "HTTP/1.1 keep-alive"
	client, err := newRawClient(url+"/validate/fail?timeout=10s", opts.conns, 10*time.Second)
	if err != nil {
		return err
	}
	defer client.closeIdle()
	stats := &http.Client{Timeout: 5 * time.Second, Transport: insecureTransport()} // Kanon's /metrics
	defer stats.CloseIdleConnections()
	deny := opts.action == "Enforce"
	for _, rate := range opts.rates {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Printf("\nrate %d/s for %s (+%s warm-up), %.0f%% violating Pods, %s; %s\n",
			rate, opts.duration, opts.warmup, 100*opts.violating, proto, hostLoad())
		l := &loader{client: client, stats: stats, base: url, compliant: compliant, violating: violating, share: opts.violating, deny: deny}
		r := l.run(ctx, rate, opts.warmup, opts.duration, pid)
		r.print()
		if opts.latencyLog != "" {
			if err := r.writeLog(fmt.Sprintf("%s.%d", opts.latencyLog, rate)); err != nil {
				return err
			}
		}
	}
	return writeHeapProfile(opts.memProfile)
}

// loader posts reviews open loop at a fixed rate.
type loader struct {
	client               *rawClient
	stats                *http.Client // reads Kanon's /metrics
	base                 string       // Kanon's URL
	compliant, violating []review
	share                float64 // of violating reviews
	deny                 bool    // violating reviews are denied (Enforce)
}

// result is one request's outcome.
type result struct {
	at           time.Time
	latency, lag time.Duration // from the scheduled time to the answer / to the send
	done         time.Time
	err          string // transport or HTTP error
	wrong        bool   // answered, but not as the policies demand
}

// pick returns the review for request i: violating ones spread evenly.
func (l *loader) pick(i int) review {
	if int(float64(i+1)*l.share) > int(float64(i)*l.share) {
		return l.violating[i%len(l.violating)]
	}
	return l.compliant[i%len(l.compliant)]
}

// runResult is the measured part of one run.
type runResult struct {
	rate              int
	results           []result
	start             time.Time
	before, after     procStat
	self              [2]procStat // this process (the load generator) before and after
	host              [2][2]int64 // host idle and total jiffies before and after
	window            [2]time.Time
	peakRSS           int64
	pid               int
	procErr           error
	duration, warmup  time.Duration
	goBefore, goAfter goStats // Kanon's Go runtime at the start and end of the measured window
}

func (l *loader) run(ctx context.Context, rate int, warmup, duration time.Duration, pid int) *runResult {
	nWarm := int(warmup.Seconds() * float64(rate))
	n := int(duration.Seconds() * float64(rate))
	results := make([]result, nWarm+n)
	interval := float64(time.Second) / float64(rate)
	start := time.Now().Add(10 * time.Millisecond)
	measured := start.Add(time.Duration(float64(nWarm) * interval))
	rr := &runResult{rate: rate, start: measured, pid: pid, duration: duration, warmup: warmup}

	// Sample Kanon's RSS during the measured part.
	statsClient, statsURL := l.stats, l.base
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var sampler sync.WaitGroup
	if pid > 0 {
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			time.Sleep(time.Until(measured))
			rr.before, rr.procErr = readProc(pid)
			rr.goBefore = readGoStats(statsClient, statsURL)
			rr.self[0], _ = readProc(os.Getpid())
			rr.host[0][0], rr.host[0][1] = cpuTimes()
			rr.window[0] = time.Now()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				if st, err := readProc(pid); err == nil {
					rr.peakRSS = max(rr.peakRSS, st.rss)
				}
				select {
				case <-sampleCtx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	// The dispatcher sleeps with nanosleep on its own thread (Go's timers
	// wake up to a millisecond late, epoll's resolution, which would be
	// measured as latency) and writes each request itself when it is due;
	// a goroutine per request then waits for the answer.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wg sync.WaitGroup
	for i := range results {
		at := start.Add(time.Duration(float64(i) * interval))
		rv := l.pick(i)
		body := rv.withName(i)
		sleepUntil(at)
		if ctx.Err() != nil {
			break
		}
		sent := time.Now()
		rc, err := l.client.send(body)
		if err != nil {
			results[i] = result{at: at, err: err.Error(), lag: sent.Sub(at)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.receive(at, sent, rv, rc)
		}()
	}
	wg.Wait()
	stopSampling()
	sampler.Wait()
	if pid > 0 {
		rr.after, _ = readProc(pid)
		rr.goAfter = readGoStats(statsClient, statsURL)
		rr.self[1], _ = readProc(os.Getpid())
		rr.host[1][0], rr.host[1][1] = cpuTimes()
		rr.window[1] = time.Now()
	}
	rr.results = results[nWarm:]
	return rr
}

// sleepUntil blocks the calling thread until t (to within the kernel's
// timer slack, 50µs by default).
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		if err := syscall.Nanosleep(&ts, nil); err == nil {
			return
		}
	}
}

// receive waits for the answer to a review sent at sent (scheduled at at)
// and checks it.
func (l *loader) receive(at, sent time.Time, rv review, rc *rawConn) result {
	status, answer, err := l.client.receive(rc)
	if err != nil {
		return result{at: at, err: err.Error(), lag: sent.Sub(at)}
	}
	done := time.Now()
	r := result{at: at, latency: done.Sub(at), lag: sent.Sub(at), done: done}
	switch {
	case status != http.StatusOK:
		r.err = "HTTP " + strconv.Itoa(status)
	default:
		var out struct {
			Response struct {
				Allowed bool `json:"allowed"`
			} `json:"response"`
		}
		if err := json.Unmarshal(answer, &out); err != nil {
			r.err = "decoding the answer: " + err.Error()
		} else {
			r.wrong = out.Response.Allowed == (rv.violating && l.deny)
		}
	}
	return r
}

// writeLog writes one line per measured request (-latency-log): when it was
// scheduled (ms since the measured window began), the generator's lag and
// the latency (ms), and the error if any.
func (rr *runResult) writeLog(path string) error {
	var b strings.Builder
	b.WriteString("scheduled_ms,lag_ms,latency_ms,error\n")
	for _, r := range rr.results {
		if r.at.IsZero() {
			continue
		}
		fmt.Fprintf(&b, "%.3f,%.3f,%.3f,%q\n", msf(r.at.Sub(rr.start)), msf(r.lag), msf(r.latency), r.err)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (rr *runResult) print() {
	var lat, lag, service []time.Duration
	errs := map[string]int{}
	wrong, nErr := 0, 0
	var end time.Time
	for _, r := range rr.results {
		if r.err != "" || r.done.IsZero() {
			nErr++
			errs[r.err]++
			continue
		}
		if r.wrong {
			wrong++
		}
		lat = append(lat, r.latency)
		lag = append(lag, r.lag)
		service = append(service, r.latency-r.lag)
		if r.done.After(end) {
			end = r.done
		}
	}
	achieved := 0.0
	if !end.IsZero() {
		achieved = float64(len(lat)) / end.Sub(rr.start).Seconds()
	}
	fmt.Printf("  requests %d, answered %d, errors %d, wrong answers %d; achieved %.1f/s\n", len(rr.results), len(lat), nErr, wrong, achieved)
	for e, n := range errs {
		fmt.Printf("    error x%d: %s\n", n, e)
	}
	fmt.Printf("  latency from the scheduled time: %s\n", summarize(lat))
	ls := summarize(lag)
	fmt.Printf("  of which generator lag (scheduled -> sent): p99 %s, max %s\n", ms(ls.p99), ms(ls.max))
	fmt.Printf("  latency from the send (Kanon, TLS and loopback only): %s\n", summarize(service))
	if rr.pid == 0 {
		return
	}
	if rr.procErr != nil {
		fmt.Printf("  kanon process: %v\n", rr.procErr)
		return
	}
	cpu := rr.after.cpu - rr.before.cpu
	perReq := time.Duration(0)
	if len(lat) > 0 {
		perReq = cpu / time.Duration(len(lat))
	}
	fmt.Printf("  kanon (pid %d): RSS %s (peak during run %s, VmHWM since start %s), %s; CPU %.2f cores (%s per review)\n",
		rr.pid, mib(rr.after.rss), mib(rr.peakRSS), mib(rr.after.hwm), rr.goAfter.memory(),
		cpu.Seconds()/rr.duration.Seconds(), perReq.Round(time.Microsecond))
	if b, a := rr.goBefore, rr.goAfter; b.err == nil && a.err == nil && a.allocated > 0 && len(lat) > 0 {
		cycles := a.gcCycles - b.gcCycles
		every := "no GC cycle"
		if cycles > 0 {
			every = fmt.Sprintf("%.0f GC cycles (one every %.0f ms)", cycles, 1000*rr.duration.Seconds()/cycles)
		}
		fmt.Printf("  kanon Go runtime: allocated %.1f KiB per review, %s\n", (a.allocated-b.allocated)/float64(len(lat))/1024, every)
	}
	idle, total := rr.host[1][0]-rr.host[0][0], rr.host[1][1]-rr.host[0][1]
	if total > 0 && rr.pid != os.Getpid() {
		// The window ends when the last answer arrives, a little after
		// rr.duration.
		wall := rr.window[1].Sub(rr.window[0]).Seconds()
		gen := rr.self[1].cpu - rr.self[0].cpu
		fmt.Printf("  host: %.0f%% of its %d cores busy; load generator %.2f cores, kanon %.2f cores (the rest: API server, etcd, other processes)\n",
			100*float64(total-idle)/float64(total), runtime.NumCPU(), gen.Seconds()/wall, cpu.Seconds()/wall)
	}
}

// goStats are Kanon's Go runtime figures, read from its /metrics.
type goStats struct {
	heapInuse, allocated, gcCycles, goroutines float64
	err                                        error
}

func readGoStats(client *http.Client, url string) goStats {
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		return goStats{err: err}
	}
	defer resp.Body.Close()
	var st goStats
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, v, _ := strings.Cut(sc.Text(), " ")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			st.heapInuse = f
		case "go_memstats_alloc_bytes_total":
			st.allocated = f
		case "go_gc_duration_seconds_count":
			st.gcCycles = f
		case "go_goroutines":
			st.goroutines = f
		}
	}
	return st
}

// memory describes Kanon's Go heap in use and goroutine count.
func (st goStats) memory() string {
	if st.err != nil {
		return "Go heap unknown (" + st.err.Error() + ")"
	}
	return fmt.Sprintf("Go heap in use %s, %.0f goroutines", mib(int64(st.heapInuse)), st.goroutines)
}

// kanonMemory reads Kanon's Go heap in use and goroutine count from its
// /metrics.
func kanonMemory(client *http.Client, url string) string {
	return readGoStats(client, url).memory()
}
