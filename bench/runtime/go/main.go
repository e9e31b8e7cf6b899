// The Go peer of bench/runtime/luminar.cpp: the same kernels, sizes, checks and result
// line, with goroutines, channels, select and sync.WaitGroup (GOMAXPROCS = --threads).
//
//	bench_runtime_go <kernel> [--n N] [--reps R] [--threads T]
//
// Prints "<kernel> <median> <best> <unit> | …" and exits 1 if a result is wrong.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var kernel string

func check(ok bool, what string) {
	if !ok {
		fmt.Fprintf(os.Stderr, "WRONG RESULT: %s\n", what)
		os.Exit(1)
	}
}

// Runs once untimed (warm-up), then reps times; prints the median and best per unit.
func timeKernel(n int64, units float64, unit string, reps int, once func() time.Duration) {
	once()
	perUnit := make([]float64, 0, reps)
	for r := 0; r < reps; r++ {
		perUnit = append(perUnit, float64(once().Nanoseconds())/units)
	}
	sort.Float64s(perUnit)
	fmt.Printf("%s %.4g %.4g %s | n=%d reps=%d\n", kernel, perUnit[len(perUnit)/2], perUnit[0], unit, n, reps)
}

// pairs producers send 0 … n-1 between them through one channel of capacity 100; pairs
// consumers receive until it is closed (by the last producer to finish) and add up.
func buffered(pairs int, n int64) time.Duration {
	ch := make(chan int64, 100)
	var producersLeft int32 = int32(pairs)
	var sum int64
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < pairs; p++ {
		wg.Add(1)
		go func(p int64) {
			defer wg.Done()
			for i := p; i < n; i += int64(pairs) {
				ch <- i
			}
			if atomic.AddInt32(&producersLeft, -1) == 0 {
				close(ch)
			}
		}(int64(p))
	}
	for c := 0; c < pairs; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local int64
			for v := range ch {
				local += v
			}
			atomic.AddInt64(&sum, local)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	check(sum == n*(n-1)/2, "sum of the received values")
	return elapsed
}

// n round trips over two unbuffered channels: i goes out on ping, i + 1 comes back.
func pingPong(n int64) time.Duration {
	ping, pong := make(chan int64), make(chan int64)
	var sum int64
	var wg sync.WaitGroup
	wg.Add(2)
	start := time.Now()
	go func() {
		defer wg.Done()
		for i := int64(0); i < n; i++ {
			ping <- i
			sum += <-pong
		}
	}()
	go func() {
		defer wg.Done()
		for i := int64(0); i < n; i++ {
			pong <- (<-ping) + 1
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	check(sum == n*(n-1)/2+n, "sum of the returned values")
	return elapsed
}

// Two producers (even and odd values below n) each feed a channel of capacity 100; one
// consumer takes exactly n messages with a select over both.
func selectTwo(n int64) time.Duration {
	even, odd := make(chan int64, 100), make(chan int64, 100)
	var sum int64
	var wg sync.WaitGroup
	wg.Add(3)
	start := time.Now()
	go func() {
		defer wg.Done()
		for i := int64(0); i < n; i += 2 {
			even <- i
		}
	}()
	go func() {
		defer wg.Done()
		for i := int64(1); i < n; i += 2 {
			odd <- i
		}
	}()
	go func() {
		defer wg.Done()
		for k := int64(0); k < n; k++ {
			select {
			case v := <-even:
				sum += v
			case v := <-odd:
				sum += v
			}
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	check(sum == n*(n-1)/2, "sum of the selected values")
	return elapsed
}

// n empty goroutines started from one goroutine and joined with a WaitGroup. Each counts
// itself, which is the check.
func spawnJoin(n int64) time.Duration {
	var ran int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		go func() {
			atomic.AddInt64(&ran, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	check(ran == n, "number of goroutines run")
	return elapsed
}

// VmRSS of this process in bytes.
func residentBytes() int64 {
	f, err := os.Open("/proc/self/status")
	check(err == nil, "open /proc/self/status")
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if line := scanner.Text(); strings.HasPrefix(line, "VmRSS:") {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(line[6:]), " kB"), 10, 64)
			check(err == nil, "parse VmRSS")
			return kb * 1024
		}
	}
	check(false, "no VmRSS in /proc/self/status")
	return 0
}

// n goroutines blocked at once in a receive on one shared unbuffered channel. Resident
// memory is read before they start and once every one has reached its receive; then
// 1 … n are sent and the receivers' sum is checked.
func park(n int64) {
	ch := make(chan int64)
	var arrived, sum int64
	var wg sync.WaitGroup
	before := residentBytes()
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&arrived, 1)
			atomic.AddInt64(&sum, <-ch)
		}()
	}
	for atomic.LoadInt64(&arrived) < n {
		time.Sleep(time.Millisecond)
	}
	// The last arrivals are between the count and the receive: give them time to block.
	time.Sleep(100 * time.Millisecond)
	parked := residentBytes()
	for i := int64(1); i <= n; i++ {
		ch <- i
	}
	wg.Wait()
	check(sum == n*(n+1)/2, "sum of the received values")
	perTask := float64(parked-before) / float64(n)
	fmt.Printf("%s %.4g %.4g B/task | n=%d rss_before=%d rss_parked=%d\n", kernel, perTask, perTask, n, before, parked)
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &usage) == nil, "getrusage")
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

// The process's CPU time over seconds of sleep after one goroutine ran and was joined.
func idle(seconds int64) {
	var wg sync.WaitGroup
	wg.Add(1)
	go wg.Done()
	wg.Wait()
	before := cpuSeconds()
	time.Sleep(time.Duration(seconds) * time.Second)
	percent := (cpuSeconds() - before) / float64(seconds) * 100
	fmt.Printf("%s %.4g %.4g %%cpu | n=%d seconds asleep\n", kernel, percent, percent, seconds)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s <kernel> [--n N] [--reps R] [--threads T]\n", os.Args[0])
		os.Exit(2)
	}
	kernel = os.Args[1]
	flags := flag.NewFlagSet(kernel, flag.ExitOnError)
	n := flags.Int64("n", -1, "the kernel's size; -1: its default")
	reps := flags.Int("reps", 5, "timed repetitions after one warm-up")
	threads := flags.Int("threads", 2, "GOMAXPROCS")
	flags.Parse(os.Args[2:])
	runtime.GOMAXPROCS(*threads)
	sizeOr := func(fallback int64) int64 {
		if *n > 0 {
			return *n
		}
		return fallback
	}

	switch kernel {
	case "chan_1p1c", "chan_4p4c":
		size, pairs := sizeOr(1000000), 1
		if kernel == "chan_4p4c" {
			pairs = 4
		}
		timeKernel(size, float64(size), "ns/msg", *reps, func() time.Duration { return buffered(pairs, size) })
	case "pingpong":
		size := sizeOr(100000)
		timeKernel(size, float64(size), "ns/roundtrip", *reps, func() time.Duration { return pingPong(size) })
	case "select2":
		size := sizeOr(1000000)
		timeKernel(size, float64(size), "ns/msg", *reps, func() time.Duration { return selectTwo(size) })
	case "spawn":
		size := sizeOr(1000000)
		timeKernel(size, float64(size), "ns/task", *reps, func() time.Duration { return spawnJoin(size) })
	case "park":
		park(sizeOr(1000000))
	case "idle":
		idle(sizeOr(2))
	default:
		fmt.Fprintf(os.Stderr, "%s: unknown kernel %s\n", os.Args[0], kernel)
		os.Exit(2)
	}
}
