package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// podRun is one apiserver-mode run: Pods of one kind created in one
// namespace, with or without Kanon.
type podRun struct {
	name      string
	namespace string
	violating bool
	kanonPID  int
	kanonURL  string
	// webhook is set for runs with a webhook that is not Kanon (the no-op
	// yardstick); they are not part of the no-webhook baseline.
	webhook bool

	created, failed int
	throughput      float64
	lat             summary
	firstErr        string
	kanonCPU        time.Duration
	kanon           procStat
	kanonHeap       string
}

func runAPIServer(ctx context.Context, opts options) error {
	c, err := startCluster(ctx, opts.verbose)
	if err != nil {
		return err
	}
	defer c.stop()
	policies, err := loadPolicies(opts.corpus)
	if err != nil {
		return err
	}
	cfg := c.restConfig()
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	var runs []*podRun
	// measure runs r and, unless it is the last run, deletes its Pods so
	// the next run starts from the same number of stored Pods.
	measure := func(r *podRun, last bool) error {
		if err := c.namespace(ctx, r.namespace); err != nil {
			return err
		}
		fmt.Printf("\n%s: %d clients for %s (+%s warm-up) in namespace %s; %s\n",
			r.name, opts.clients, opts.duration, opts.warmup, r.namespace, hostLoad())
		r.measure(ctx, client, opts)
		r.print()
		runs = append(runs, r)
		if last {
			return nil
		}
		return c.deletePods(ctx, r.namespace)
	}

	if err := measure(&podRun{name: "no webhook", namespace: "bench-none-1"}, false); err != nil {
		return err
	}
	if opts.noop {
		n, err := startNoopWebhook(ctx, c)
		if err != nil {
			return err
		}
		if err := measure(&podRun{name: "no-op webhook (admits all)", namespace: "bench-noop", webhook: true}, false); err != nil {
			return err
		}
		if err := n.stop(ctx, c); err != nil {
			return err
		}
	}
	k, err := startKanon(ctx, c, opts)
	if err != nil {
		return err
	}
	stopKanon := func() {
		if k != nil {
			if err := k.stop(); err != nil {
				fmt.Println(err)
			}
			k = nil
		}
	}
	defer stopKanon()
	if err := c.applyPolicies(ctx, policies, "Enforce"); err != nil {
		return err
	}
	if err := c.waitDecision(ctx, "bench-enforce", true); err != nil {
		return err
	}
	fmt.Printf("\nkanon serve: %s (pid %d, in-process %v), %d Pod Security policies Ready and enforced by the API server\n", k.url, k.pid, opts.inProcess, len(policies))
	if err := measure(&podRun{name: "kanon, Enforce, compliant Pods", namespace: "bench-enforce", kanonPID: k.pid, kanonURL: k.url}, false); err != nil {
		return err
	}
	if opts.audit {
		if err := c.applyPolicies(ctx, policies, "Audit"); err != nil {
			return err
		}
		if err := c.waitDecision(ctx, "bench-audit", false); err != nil {
			return err
		}
		if err := measure(&podRun{name: "kanon, Audit, violating Pods", namespace: "bench-audit", violating: true, kanonPID: k.pid, kanonURL: k.url}, false); err != nil {
			return err
		}
	}
	if err := writeHeapProfile(opts.memProfile); err != nil {
		return err
	}
	stopKanon()
	if err := c.removeWebhooks(ctx); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // the API server's webhook informer catches up
	if err := measure(&podRun{name: "no webhook (again, Kanon stopped)", namespace: "bench-none-2"}, true); err != nil {
		return err
	}
	compare(runs)
	return nil
}

// waitDecision waits until the API server, through Kanon, denies (deny) or
// admits a violating Pod (dry run): the policies are in effect.
func (c *cluster) waitDecision(ctx context.Context, namespace string, deny bool) error {
	if err := c.namespace(ctx, namespace); err != nil {
		return err
	}
	p := benchPod("probe", namespace, 0)
	return poll(ctx, 60*time.Second, "the API server to apply Kanon's decision", func() error {
		_, err := c.kube.CoreV1().Pods(namespace).Create(ctx, p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		switch {
		case deny && err == nil:
			return errors.New("a violating Pod is still admitted")
		case deny && !strings.Contains(err.Error(), "kanon"):
			return fmt.Errorf("a violating Pod is denied, but not by Kanon: %w", err)
		case !deny && err != nil:
			return fmt.Errorf("a violating Pod is still denied: %w", err)
		}
		return nil
	})
}

// deletePods removes a run's Pods (unscheduled Pods go at once). One
// DeleteCollection of tens of thousands of Pods can outlast the API
// server's request timeout, so it is repeated until none are left.
func (c *cluster) deletePods(ctx context.Context, namespace string) error {
	return poll(ctx, 5*time.Minute, "the Pods of "+namespace+" to be deleted", func() error {
		if err := c.kube.CoreV1().Pods(namespace).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			return err
		}
		list, err := c.kube.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{Limit: 1})
		if err != nil {
			return err
		}
		if len(list.Items) > 0 {
			return fmt.Errorf("%s still has Pods", namespace)
		}
		return nil
	})
}

// sample is one Create call.
type sample struct {
	start   time.Time
	latency time.Duration
	err     error
}

func (r *podRun) measure(ctx context.Context, client kubernetes.Interface, opts options) {
	t0 := time.Now()
	from, to := t0.Add(opts.warmup), t0.Add(opts.warmup+opts.duration)
	perClient := make([][]sample, opts.clients)
	var before procStat
	var wg sync.WaitGroup
	if r.kanonPID > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Until(from))
			before, _ = readProc(r.kanonPID)
		}()
	}
	for w := range opts.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := -1
			if r.violating {
				v = w
			}
			pod := benchPod("", r.namespace, v)
			for i := 0; ctx.Err() == nil; i++ {
				start := time.Now()
				if !start.Before(to) {
					return
				}
				pod.Name = fmt.Sprintf("pod-%d-%d", w, i)
				_, err := client.CoreV1().Pods(r.namespace).Create(ctx, pod, metav1.CreateOptions{})
				perClient[w] = append(perClient[w], sample{start: start, latency: time.Since(start), err: err})
			}
		}()
	}
	wg.Wait()
	if r.kanonPID > 0 {
		if after, err := readProc(r.kanonPID); err == nil {
			r.kanonCPU, r.kanon = after.cpu-before.cpu, after
		}
		r.kanonHeap = kanonMemory(&http.Client{Timeout: 5 * time.Second, Transport: insecureTransport()}, r.kanonURL)
	}
	var lat []time.Duration
	for _, s := range perClient {
		for _, x := range s {
			if x.start.Before(from) {
				continue
			}
			if x.err != nil {
				r.failed++
				if r.firstErr == "" {
					r.firstErr = x.err.Error()
				}
				continue
			}
			lat = append(lat, x.latency)
		}
	}
	r.created = len(lat)
	r.throughput = float64(r.created) / opts.duration.Seconds()
	r.lat = summarize(lat)
}

func (r *podRun) print() {
	fmt.Printf("  created %d Pods (%.1f/s), failed %d\n", r.created, r.throughput, r.failed)
	if r.firstErr != "" {
		fmt.Printf("    first error: %s\n", r.firstErr)
	}
	fmt.Printf("  latency of a create: %s\n", r.lat)
	if r.kanonPID > 0 {
		perPod := time.Duration(0)
		if r.created > 0 {
			perPod = r.kanonCPU / time.Duration(r.created)
		}
		fmt.Printf("  kanon (pid %d): RSS %s (VmHWM since start %s), %s; CPU %s (%s per Pod)\n", r.kanonPID,
			mib(r.kanon.rss), mib(r.kanon.hwm), r.kanonHeap, r.kanonCPU.Round(10*time.Millisecond), perPod.Round(time.Microsecond))
	}
}

// compare prints every run against the mean of the runs without webhook.
func compare(runs []*podRun) {
	var base []*podRun
	for _, r := range runs {
		if r.kanonPID == 0 && !r.webhook {
			base = append(base, r)
		}
	}
	if len(base) == 0 {
		return
	}
	var tput float64
	var p99 time.Duration
	for _, b := range base {
		tput += b.throughput
		p99 += b.lat.p99
	}
	tput /= float64(len(base))
	p99 /= time.Duration(len(base))
	fmt.Printf("\nagainst the mean of the %d runs without webhook (%.1f Pods/s, p99 %s):\n", len(base), tput, ms(p99))
	fmt.Printf("  %-36s %12s %8s %12s %12s %12s %14s\n", "run", "Pods/s", "ratio", "p50", "p95", "p99", "p99 - base")
	for _, r := range runs {
		fmt.Printf("  %-36s %12.1f %7.1f%% %12s %12s %12s %14s\n", r.name, r.throughput, 100*r.throughput/tput,
			ms(r.lat.p50), ms(r.lat.p95), ms(r.lat.p99), ms(r.lat.p99-p99))
	}
}
