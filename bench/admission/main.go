// Command admission measures Kanon's admission latency and its cost to the
// API server, with the 12 Pod Security policies of the corpus
// (../shared/corpus/policies/pod-security/{baseline,restricted}), read at
// run time. It has two modes:
//
//	go run ./bench/admission -mode direct -rates 500,1000,2000 -duration 30s
//	go run ./bench/admission -mode apiserver -clients 16 -duration 20s
//
// Both start a kube-apiserver and etcd (internal/controlplane, binaries from
// hack/controlplane/build.sh) and run `kanon serve` as a separate process
// (-kanon, default bin/kanon; build it with `make build`), so the RSS
// reported is Kanon's alone, not the load generator's. -inprocess runs
// serve.Run inside this process instead (then the RSS includes the load
// generator, and -cpuprofile profiles Kanon and the generator together).
//
// direct posts pre-built AdmissionReviews to Kanon's /validate/fail over
// HTTPS with keep-alive, open loop: request i is scheduled at start+i/rate by
// the wall clock and its latency is measured from that scheduled time, so a
// slow answer delays nothing and queueing counts against Kanon (no
// coordinated omission). The Pods are real API-server objects: dry-run
// created in Kanon's own namespace (which its webhooks exclude), so they
// carry the defaults and managed fields a real review carries; each request
// renames its Pod, so every review is about a new Pod as in real traffic
// (Kanon's events about them are not folded into one series). -violating
// sets the share of Pods that break the policies. -url and -pid aim the load
// at a Kanon that is already running (with the policies loaded) instead.
//
// apiserver creates Pods through the API server with -clients concurrent
// clients (closed loop) for -duration: first with no webhook at all, then
// with Kanon enforcing the policies on compliant Pods, then (-audit) with
// the policies in Audit on violating Pods, then again with no webhook after
// Kanon is stopped and its webhook configurations deleted. Each run uses its
// own namespace, and its Pods (Pending: there is no kubelet) are deleted
// afterwards.
//
// Every run first prints the load average and how idle the host's CPUs were
// over the 3 seconds before it: on a shared 2-core machine, rerun when other
// processes are busy. Results are in docs/performance.md (Admission).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the parsed flags.
type options struct {
	mode       string
	corpus     string
	action     string
	kanonBin   string
	kanonArgs  []string
	inProcess  bool
	url        string
	pid        int
	rates      []int
	duration   time.Duration
	warmup     time.Duration
	violating  float64
	conns      int
	clients    int
	audit      bool
	noop       bool
	cpuProfile string
	memProfile string
	verbose    bool
	gcPercent  int
	latencyLog string
}

func main() {
	var opts options
	var rates string
	flag.StringVar(&opts.mode, "mode", "direct", "direct (AdmissionReviews straight to kanon serve) or apiserver (Pods through the API server)")
	flag.StringVar(&opts.corpus, "corpus", filepath.Join("..", "shared", "corpus"), "the conformance corpus (policies/pod-security)")
	flag.StringVar(&opts.action, "failure-action", "Enforce", "direct: validationFailureAction set on the policies (the corpus has Audit); empty keeps the corpus's (apiserver runs Enforce, then Audit)")
	flag.StringVar(&opts.kanonBin, "kanon", filepath.Join("bin", "kanon"), "kanon binary run as `kanon serve` (make build)")
	flag.Func("kanon-args", "extra arguments for kanon serve, space-separated (e.g. \"--gc-percent 1000 --profile-address 127.0.0.1:6060\")", func(s string) error {
		opts.kanonArgs = strings.Fields(s)
		return nil
	})
	flag.BoolVar(&opts.inProcess, "inprocess", false, "run kanon serve inside this process (RSS then includes the load generator)")
	flag.StringVar(&opts.url, "url", "", "direct: post to this running kanon serve (https://host:port) instead of starting one; its policies must be loaded")
	flag.IntVar(&opts.pid, "pid", 0, "direct with -url: process id of that kanon serve, for its RSS")
	flag.StringVar(&rates, "rates", "500,1000,2000", "direct: requests per second, one run each")
	flag.DurationVar(&opts.duration, "duration", 30*time.Second, "measured time of each run")
	flag.DurationVar(&opts.warmup, "warmup", 5*time.Second, "unmeasured time before each run, at the same load")
	flag.Float64Var(&opts.violating, "violating", 0.2, "direct: share of reviews whose Pod breaks the policies (0 to 1)")
	flag.IntVar(&opts.conns, "conns", 64, "direct: maximum keep-alive connections to kanon")
	flag.IntVar(&opts.clients, "clients", 16, "apiserver: concurrent Pod-creating clients")
	flag.BoolVar(&opts.noop, "noop", true, "apiserver: also run with a no-op webhook that admits everything (what any webhook costs)")
	flag.BoolVar(&opts.audit, "audit", true, "apiserver: also run with the policies in Audit on violating Pods")
	flag.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile of this process's measured runs (with -inprocess it includes Kanon)")
	flag.StringVar(&opts.memProfile, "memprofile", "", "write a heap profile of this process after the runs with Kanon (use with -inprocess)")
	flag.StringVar(&opts.latencyLog, "latency-log", "", "direct: write every measured request (scheduled time, lag, latency) as CSV to FILE.<rate>")
	flag.IntVar(&opts.gcPercent, "gogc", 400, "GC target percentage of this load generator (not Kanon's; see -kanon-args): its collections steal CPU from the process under test")
	flag.BoolVar(&opts.verbose, "v", false, "show kanon serve's and the control plane's logs")
	flag.Parse()
	var err error
	if opts.rates, err = parseRates(rates); err != nil {
		fail(err)
	}
	if opts.violating < 0 || opts.violating > 1 {
		fail(fmt.Errorf("-violating: want 0 to 1, got %v", opts.violating))
	}
	debug.SetGCPercent(opts.gcPercent)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.cpuProfile != "" {
		f, err := os.Create(opts.cpuProfile)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	switch opts.mode {
	case "direct":
		err = runDirect(ctx, opts)
	case "apiserver":
		err = runAPIServer(ctx, opts)
	default:
		err = fmt.Errorf("-mode: want direct or apiserver, got %q", opts.mode)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fail(err)
	}
}

// writeHeapProfile writes the heap profile -memprofile asks for.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "admission bench:", err)
	os.Exit(1)
}

func parseRates(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// hostLoad describes how busy the machine is just before a run: the load
// average, and the share of CPU time that was idle over the last 3 seconds
// (the load average lags, and counts the previous run).
func hostLoad() string {
	load := "unknown"
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	idle0, total0 := cpuTimes()
	time.Sleep(3 * time.Second)
	idle1, total1 := cpuTimes()
	if total1 <= total0 {
		return "load average " + load
	}
	return fmt.Sprintf("load average %s, host CPU idle %.0f%% over the last 3s", load, 100*float64(idle1-idle0)/float64(total1-total0))
}

// cpuTimes returns the idle and total jiffies of /proc/stat's cpu line.
func cpuTimes() (idle, total int64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)[1:]
	for i, f := range fields[:min(8, len(fields))] { // user .. steal; guest time is already in user
		n, _ := strconv.ParseInt(f, 10, 64)
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return idle, total
}
