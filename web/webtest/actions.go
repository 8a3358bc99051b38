package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// Note for chromedp v0.23: a plain string selector is a DOM search (text, CSS or
// XPath); wrap CSS selectors in chromedp.CSS("...") to be exact. These helpers do.

// Visit navigates to url and waits for the CSS selector ready to be visible.
func Visit(url, ready string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// WaitText waits until an element matching the CSS selector sel is present and its
// visible text contains text. It survives navigations (it re-checks on the new page).
func WaitText(sel, text string) chromedp.Action[chromedp.Void] {
	return WaitJS(fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.innerText.includes(%s))`, js(sel), js(text)))
}

// WaitGone waits until no element matches the CSS selector sel.
func WaitGone(sel string) chromedp.Action[chromedp.Void] {
	return WaitJS(fmt.Sprintf(`!document.querySelector(%s)`, js(sel)))
}

// WaitJS waits until the JavaScript expression is true, checking every 50ms until the
// step's timeout; evaluation errors (a page being replaced) count as not yet.
func WaitJS(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var last error
		for {
			ok, err := chromedp.Evaluate[bool]("!!("+expr+")")(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				if last != nil {
					return chromedp.Void{}, fmt.Errorf("waiting for %s: %w (last error: %v)", expr, ctx.Err(), last)
				}
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// Click clicks the first element matching the CSS selector once it is visible.
func Click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
}

// ClickText clicks the first element matching the CSS selector sel whose visible text
// contains text (e.g. a button "Add to cart"), waiting for it to appear.
func ClickText(sel, text string) chromedp.Action[chromedp.Void] {
	find := fmt.Sprintf(`[...document.querySelectorAll(%s)].find(e => e.innerText.includes(%s) && e.getClientRects().length)`, js(sel), js(text))
	return chromedp.Steps(WaitJS(find), jsDo(`(`+find+`).click()`))
}

// Fill clears the input matching the CSS selector and types value into it (real key
// events, so input and change handlers run).
func Fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// Select chooses the option with the given value in the <select> matching the CSS
// selector and fires its input and change events.
func Select(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), jsDo(fmt.Sprintf(
		`(() => { const s = document.querySelector(%s); s.value = %s;
		  if (s.value !== %[2]s) throw new Error('no option ' + %[2]s);
		  s.dispatchEvent(new Event('input', {bubbles: true})); s.dispatchEvent(new Event('change', {bubbles: true})); })()`,
		js(sel), js(value))))
}

// jsDo evaluates a statement for its effect.
func jsDo(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool]("("+expr+", true)")(ctx, t)
		return chromedp.Void{}, err
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
