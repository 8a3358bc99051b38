// Package webtest is the browser-test harness of the web pages: Start boots the real
// guildmart binary on a fresh test database with the demo data, NewBrowser drives
// headless Debian chromium through chromedp and saves a screenshot per step.
package webtest
