// Command robfig-reference writes the reference tick tables that
// test/core/schedule-robfig.test.ts compares our cron parser against.
//
// For every expression in the input file it calls ParseStandard of two
// robfig/cron versions: v1.2.0 (the one TiDB Operator uses) and v3 (the one
// Debian packages, Kubernetes and Velero use). An accepted expression gets the
// first ticksPerStart results of iterating Next() from each start instant; a
// rejected one gets the error text. A panic inside robfig counts as a
// rejection and is flagged.
//
// Build it with generate.sh (GOPATH mode, no module downloads); the test suite
// never needs Go.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unicode/utf16"

	cronv3 "github.com/robfig/cron" // Debian golang-github-robfig-cron-dev (v3)
	cronv1 "robfigv1/cron"          // a v1.2.0 checkout laid out by generate.sh
)

// input is the shape of expressions.json.
type input struct {
	Starts        []string `json:"starts"`
	TicksPerStart int      `json:"ticksPerStart"`
	Expressions   []struct {
		Expression string `json:"expression"`
		About      string `json:"about"`
	} `json:"expressions"`
	// Zones (optional) asks for each zone's UTC offsets from Go's zone data (the zone-aware search, zones.ts).
	Zones []string `json:"zones,omitempty"`
	// ZoneYears is the range [first, last] of years whose offsets Zones asks for.
	ZoneYears [2]int `json:"zoneYears,omitempty"`
}

// result is one robfig version's answer for one expression.
type result struct {
	OK bool `json:"ok"`
	// Error is robfig's error text (rejected expressions only).
	Error string `json:"error,omitempty"`
	// Panic is true when robfig panicked instead of returning an error.
	Panic bool `json:"panic,omitempty"`
	// Ticks holds, per start instant, the successive Next() results in epoch
	// milliseconds. Fewer than ticksPerStart means Next returned the zero time
	// ("no tick within five years") after the last one.
	Ticks [][]int64 `json:"ticks,omitempty"`
	// SameTicksAsV3 replaces Ticks in the v1 result when they are identical.
	SameTicksAsV3 bool `json:"sameTicksAsV3,omitempty"`
}

// entry is one line of the output table.
type entry struct {
	Expression string  `json:"expression"`
	About      string  `json:"about"`
	V1         *result `json:"v1"`
	V3         *result `json:"v3"`
}

// nexter is what both versions' Schedule types provide.
type nexter interface{ Next(time.Time) time.Time }

func main() {
	in := flag.String("in", "expressions.json", "input file")
	out := flag.String("out", "", "output file (required)")
	v1Label := flag.String("v1", "robfig/cron v1.2.0", "label of the v1 source")
	v3Label := flag.String("v3", "robfig/cron v3", "label of the v3 source")
	flag.Parse()
	if *out == "" {
		fail(fmt.Errorf("-out is required: pass the path of the table to write"))
	}

	var spec input
	raw, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		fail(fmt.Errorf("%s: %v", *in, err))
	}
	starts := make([]time.Time, len(spec.Starts))
	for i, s := range spec.Starts {
		if starts[i], err = time.Parse(time.RFC3339Nano, s); err != nil {
			fail(fmt.Errorf("start %q: %v", s, err))
		}
		starts[i] = starts[i].UTC()
	}

	entries := make([]entry, 0, len(spec.Expressions))
	for _, e := range spec.Expressions {
		v3 := evaluate(func() (nexter, error) { return cronv3.ParseStandard(e.Expression) }, starts, spec.TicksPerStart)
		v1 := evaluate(func() (nexter, error) { return cronv1.ParseStandard(e.Expression) }, starts, spec.TicksPerStart)
		if v1.OK && v3.OK && reflect.DeepEqual(v1.Ticks, v3.Ticks) {
			v1.Ticks = nil
			v1.SameTicksAsV3 = true
		}
		entries = append(entries, entry{Expression: e.Expression, About: e.About, V1: v1, V3: v3})
	}

	offsets, err := zoneOffsets(spec.Zones, spec.ZoneYears)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, render(entries, spec, offsets, *v1Label, *v3Label), 0o644); err != nil {
		fail(err)
	}
}

// evaluate parses with one robfig version and iterates Next from every start.
func evaluate(parse func() (nexter, error), starts []time.Time, perStart int) *result {
	sched, err, panicked := guardedParse(parse)
	if panicked {
		return &result{Error: err.Error(), Panic: true}
	}
	if err != nil {
		return &result{Error: err.Error()}
	}
	r := &result{OK: true, Ticks: make([][]int64, len(starts))}
	for i, start := range starts {
		ticks := []int64{}
		t := start
		for len(ticks) < perStart {
			t = sched.Next(t)
			if t.IsZero() {
				break
			}
			ticks = append(ticks, t.UnixMilli())
		}
		r.Ticks[i] = ticks
	}
	return r
}

// guardedParse turns a panic inside robfig into an error.
func guardedParse(parse func() (nexter, error)) (sched nexter, err error, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			sched, err, panicked = nil, fmt.Errorf("panic: %v", p), true
		}
	}()
	sched, err = parse()
	return sched, err, false
}

// zoneOffsets lists, per zone, its offset (seconds east of UTC) at the start of the first year and each change
// until the end of the last year, as [epoch milliseconds, offset seconds] pairs, read from Go's zone data.
func zoneOffsets(zones []string, years [2]int) (map[string][][2]int64, error) {
	if len(zones) == 0 {
		return nil, nil
	}
	offsets := map[string][][2]int64{}
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("zone %q: %v", name, err)
		}
		t := time.Date(years[0], time.January, 1, 0, 0, 0, 0, time.UTC).In(loc)
		end := time.Date(years[1]+1, time.January, 1, 0, 0, 0, 0, time.UTC)
		_, offset := t.Zone()
		list := [][2]int64{{t.UnixMilli(), int64(offset)}}
		for {
			_, next := t.ZoneBounds()
			if next.IsZero() || !next.Before(end) {
				break
			}
			t = next
			if _, o := t.Zone(); o != offset {
				offset = o
				list = append(list, [2]int64{t.UnixMilli(), int64(o)})
			}
		}
		offsets[name] = list
	}
	return offsets, nil
}

// render writes the table with one entry per line, so diffs stay readable.
func render(entries []entry, spec input, offsets map[string][][2]int64, v1Label, v3Label string) []byte {
	var b bytes.Buffer
	header := func(key string, v interface{}) {
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "  %q: %s,\n", key, j)
	}
	b.WriteString("{\n")
	header("$comment", "Generated by tools/robfig-reference (npm run robfig:tables). Do not edit by hand.")
	header("generator", "tools/robfig-reference/main.go built with "+runtime.Version()+", TZ=UTC")
	header("v1", v1Label)
	header("v3", v3Label)
	header("starts", spec.Starts)
	header("ticksPerStart", spec.TicksPerStart)
	if offsets != nil {
		header("zoneOffsets", offsets)
	}
	b.WriteString("  \"entries\": [\n")
	for i, e := range entries {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e); err != nil {
			fail(err)
		}
		b.WriteString("    ")
		b.WriteString(asciiOnly(string(bytes.TrimRight(line.Bytes(), "\n"))))
		if i < len(entries)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes()
}

// asciiOnly escapes every non-ASCII rune of a JSON text, so odd whitespace
// (NBSP, BOM, ...) in expressions stays visible in the committed table.
func asciiOnly(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", hi, lo)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// fail reports a fatal problem and exits.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "robfig-reference:", err)
	os.Exit(1)
}
