package webtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// Browser is one tab of a headless chromium. Steps run on it in order; each saves a
// full-page screenshot NN-name.png in the test's artifact directory.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the tab's chromedp context
	Timeout time.Duration   // per step; default 45s (a loaded two-core machine is slow)
	shared  *shared
	console *consoleLog
}

// shared is what the tabs of one browser process have in common.
type shared struct {
	dir  string
	step atomic.Int32
}

// Option configures a tab.
type Option func(*tabConfig)

type tabConfig struct{ phone bool }

// Phone makes the tab emulate a phone (iPhone 12: 390x844, touch, mobile user agent).
func Phone(c *tabConfig) { c.phone = true }

// skipMessage is the one sentence a machine without chromium gets.
const skipMessage = "browser tests skipped: chromium not found; install it with apt-get install chromium"

// ChromiumPath returns the chromium binary: $CHROME_BIN, else the first of chromium,
// chromium-browser, google-chrome on PATH, else "".
func ChromiumPath() string {
	if p := os.Getenv("CHROME_BIN"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// NewBrowser starts headless chromium for t (1280x900 window) and opens its first
// tab; it skips t when there is no chromium. The browser stops when t ends.
// Screenshots go to t.ArtifactDir(): run `go test ./web -artifacts -outputdir DIR` to
// keep them (otherwise they are removed with the test's temporary files).
func NewBrowser(t *testing.T, opts ...Option) *Browser {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		t.Skip(skipMessage)
	}
	aopts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-GB"))
	if os.Geteuid() == 0 {
		aopts = append(aopts, chromedp.NoSandbox) // chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), aopts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// The first Run starts the browser; it must not carry a timeout (that would stop it).
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("webtest: starting chromium %s: %v", path, err)
	}
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)
	b := &Browser{t: t, ctx: bctx, Timeout: 45 * time.Second, shared: &shared{dir: dir}}
	b.setup(opts)
	return b
}

// NewTab opens another tab of the same browser in its own browser context (its own
// cookies, localStorage and sessionStorage), e.g. for a second person in a flow. Steps
// of all tabs share one numbering, so the screenshots sort in the order they happened.
func (b *Browser) NewTab(t testing.TB, opts ...Option) *Browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("webtest: new tab: %v", err)
	}
	t.Cleanup(cancel)
	nb := &Browser{t: t, ctx: ctx, Timeout: b.Timeout, shared: b.shared}
	nb.setup(opts)
	return nb
}

// For returns the same tab reporting to t (a subtest), so a failure fails the subtest.
func (b *Browser) For(t testing.TB) *Browser {
	nb := *b
	nb.t = t
	return &nb
}

// Context is the tab's chromedp context, for chromedp.Run with actions that return a
// value (derive a timeout from it; never cancel it).
func (b *Browser) Context() context.Context { return b.ctx }

func (b *Browser) setup(opts []Option) {
	var c tabConfig
	for _, o := range opts {
		o(&c)
	}
	b.console = watchConsole(b.ctx)
	if c.phone {
		if err := chromedp.Do(b.ctx, chromedp.Emulate(device.IPhone12)); err != nil {
			b.t.Fatalf("webtest: phone emulation: %v", err)
		}
	}
}

// Step runs the actions in order within b.Timeout and then saves the screenshot
// NN-name.png. It fails the test (after saving NN-name-FAILED.png and logging the
// page's visible text) when an action fails or the page threw a JavaScript exception
// or wrote console.error since the previous step.
func (b *Browser) Step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	n := b.shared.step.Add(1)
	file := fmt.Sprintf("%02d-%s", n, slug(name))
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	if err == nil {
		err = b.console.take()
	}
	if err != nil {
		b.screenshot(file + "-FAILED")
		b.t.Fatalf("step %q: %v\nURL: %s\nvisible text:\n%s", name, err, b.URL(), b.VisibleText())
	}
	b.screenshot(file)
}

// Run runs actions like Step but saves no screenshot (for small moves between steps).
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%v\nURL: %s\nvisible text:\n%s", err, b.URL(), b.VisibleText())
	}
}

// Text returns the visible text (innerText) of the first element matching the CSS
// selector sel, waiting for it to exist.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v\nvisible text:\n%s", sel, err, b.VisibleText())
	}
	return s
}

// Eval evaluates a JavaScript expression and returns its value decoded as T.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// URL is the tab's current location ("" if unknown).
func (b *Browser) URL() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href"))
	return u
}

// VisibleText is document.body.innerText, for failure messages.
func (b *Browser) VisibleText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	if err != nil {
		return "(could not read the page: " + err.Error() + ")"
	}
	return s
}

// IgnoreConsole stops console.error messages containing substr from failing steps
// (for a test that provokes an error on purpose). Exceptions always fail.
func (b *Browser) IgnoreConsole(substr string) {
	b.console.mu.Lock()
	b.console.ignore = append(b.console.ignore, substr)
	b.console.mu.Unlock()
}

func (b *Browser) screenshot(file string) {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", file, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.shared.dir, file+".png"), png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", file, err)
	}
}

func slug(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			sb.WriteRune(r)
		default:
			if sb.Len() > 0 && !strings.HasSuffix(sb.String(), "-") {
				sb.WriteByte('-')
			}
		}
	}
	return strings.Trim(sb.String(), "-")
}

// consoleLog collects the page's exceptions and console.error calls between steps.
type consoleLog struct {
	mu     sync.Mutex
	errs   []string
	ignore []string
}

func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// Browser-log entries (failed resource loads such as a deliberate 401) are
			// the network's business; what fails a test is the page's own code.
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source == "") {
				c.mu.Lock()
				c.errs = append(c.errs, fmt.Sprintf("%s at %s:%d", m.String(), m.URL, m.Line+1))
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *consoleLog) take() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, e := range c.errs {
		ignored := false
		for _, s := range c.ignore {
			if strings.Contains(e, s) {
				ignored = true
			}
		}
		if !ignored {
			errs = append(errs, fmt.Errorf("page console: %s", e))
		}
	}
	c.errs = nil
	return errors.Join(errs...)
}
