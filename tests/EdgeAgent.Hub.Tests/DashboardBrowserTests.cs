using System.Diagnostics;
using EdgeAgent.Hub.Tests.Support;
using EdgeAgent.Messaging.Contracts;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace EdgeAgent.Hub.Tests;

/// <summary>
/// The dashboard in Debian's chromium driven by Playwright (no browser download: PlaywrightSkipBrowserDownload in the
/// project and ExecutablePath here). Set EDGE_HUB_SCREENSHOTS to a folder to keep screenshots of what it showed.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task<IPage> SignInAsync(TestHub hub)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(hub.Runtime.Address.ToString());
        await page.FillAsync("#token", TestHub.Token);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.WaitForSelectorAsync("#live.on");
        return page;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("EDGE_HUB_SCREENSHOTS");
        if (!string.IsNullOrEmpty(folder))
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
        }
    }

    [Fact]
    public async Task Dashboard_shows_a_device_going_online_and_a_result_arriving_live_with_its_overlay()
    {
        await using var hub = await TestHub.StartAsync();
        var page = await SignInAsync(hub);
        await page.WaitForSelectorAsync("text=No device has reported yet.");
        // A marker on window survives only if the page is never reloaded.
        await page.EvaluateAsync("() => { window.__noReload = 'still here'; }");

        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync(modelVersion: "1.2.0");
        var row = page.Locator("tr[data-device='clinic-a/xr-1'][data-state='online']");
        await row.WaitForAsync();
        Assert.Contains("disk 91% full", await row.InnerTextAsync(), StringComparison.Ordinal);

        var result = SimulatedAgent.Result("clinic-a", "xr-1", 7, overlay: true) with
        {
            Status = ResultStatus.NeedsReview,
            Reasons = ["confidence below 0.75"],
        };
        await agent.PublishResultAsync(result);
        var resultRow = page.Locator($"#results tr[data-result-id='{result.ResultId}']");
        await resultRow.WaitForAsync();
        Assert.Contains("needs-review", await resultRow.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));
        await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", 8));
        await page.Locator("#results tr[data-result-id='xr-1-r0008']").WaitForAsync();
        await ScreenshotAsync(page, "hub-overview.png");

        await resultRow.ClickAsync();
        // The overlay is published after the result: the open result page must pick it up live.
        await page.WaitForSelectorAsync("#overlay-absent");
        await agent.PublishOverlayAsync(result.ResultId, TestPng.PhantomOverlay(192));
        var image = page.Locator("#overlay-img");
        await image.WaitForAsync();
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('overlay-img'); return i && i.complete && i.naturalWidth > 0; }");
        Assert.Equal(192, await image.EvaluateAsync<int>("i => i.naturalWidth"));
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));

        var body = await page.InnerTextAsync("main");
        Assert.Contains(result.Input.StudyInstanceUid!, body, StringComparison.Ordinal);
        Assert.Contains("covid-cnn-rnn", body, StringComparison.Ordinal);
        Assert.Contains("confidence below 0.75", body, StringComparison.Ordinal);
        Assert.Contains("does not send the original image", body, StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator("#probabilities .bar").CountAsync());
        await ScreenshotAsync(page, "hub-result.png");

        // The models page shows the version this device reports and, live, its update status.
        await page.ClickAsync("a[data-nav=models]");
        await page.Locator("#model-versions tr:has-text('1.2.0')").WaitForAsync();
        await agent.PublishRawAsync(Topics.ModelStatus("clinic-a", "xr-1"),
            System.Text.Encoding.UTF8.GetBytes("{\"state\":\"downloading\",\"version\":\"1.3.0\",\"progress\":0.4}"), retain: true);
        await page.Locator("#model-devices tr[data-device='clinic-a/xr-1']:has-text('downloading · 1.3.0 · 40 %')").WaitForAsync();
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));
        await ScreenshotAsync(page, "hub-models.png");
    }

    [Fact]
    public async Task Results_page_filters_by_status_and_a_wrong_token_is_refused()
    {
        await using var hub = await TestHub.StartAsync();
        await using (var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort))
        {
            await agent.ConnectAsync();
            for (var n = 0; n < 6; n++)
            {
                // 0, 2, 4 rejected; 1 needs review; 3 out of distribution; 5 ok.
                var status = n % 2 == 0 ? ResultStatus.Rejected : n == 1 ? ResultStatus.NeedsReview : n == 3 ? ResultStatus.OutOfDistribution : null;
                await agent.PublishResultAsync(SimulatedAgent.Result("clinic-a", "xr-1", n, status: status));
            }
            await hub.WaitForStoredResultsAsync(6);
        }
        var page = await SignInAsync(hub);
        await page.ClickAsync("a[data-nav=results]");
        await page.SelectOptionAsync("#filters select[name=status]", ResultStatus.Rejected);
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForSelectorAsync("#page-info:has-text('1–3 of 3')");
        Assert.Equal(3, await page.Locator("#results tbody tr").CountAsync());

        // "needs attention" = needs-review or out-of-distribution: the review queue, also linked from the overview.
        await page.SelectOptionAsync("#filters select[name=status]", "needs-review,out-of-distribution");
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForSelectorAsync("#page-info:has-text('1–2 of 2')");
        var shown = await page.Locator("#results tbody tr").AllInnerTextsAsync();
        Assert.Equal(2, shown.Count);
        Assert.Contains(shown, row => row.Contains("needs-review", StringComparison.Ordinal));
        Assert.Contains(shown, row => row.Contains("out-of-distribution", StringComparison.Ordinal));
        await page.ClickAsync("a[data-nav=overview]");
        await page.ClickAsync("#attention-link");
        await page.WaitForSelectorAsync("#page-info:has-text('1–2 of 2')");

        var stranger = await _browser.NewPageAsync();
        await stranger.GotoAsync(hub.Runtime.Address.ToString());
        await stranger.FillAsync("#token", "not-the-token-at-all");
        await stranger.ClickAsync("#login-form button[type=submit]");
        await stranger.WaitForSelectorAsync("#login-error:has-text('refused')");
        Assert.Equal(0, await stranger.Locator("#devices").CountAsync());
    }

    [Fact]
    public async Task Dashboard_load_time_with_10000_stored_results()
    {
        await using var hub = await TestHub.StartAsync();
        var store = hub.Runtime.Store;
        var start = DateTimeOffset.UtcNow;
        for (var batch = 0; batch < 10; batch++)
        {
            var results = Enumerable.Range(batch * 1000, 1000)
                .Select(n => SimulatedAgent.Result("clinic-" + (n % 4), "xr-" + (n % 8), n, start.AddSeconds(-n)))
                .ToList();
            await store.AddResultsAsync(results, DateTimeOffset.UtcNow, CancellationToken.None);
        }
        Assert.Equal(10_000, await store.CountResultsAsync(CancellationToken.None));

        var page = await SignInAsync(hub);
        var timings = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            await page.ReloadAsync();
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#results tbody tr').length === 25 && document.querySelectorAll('#devices tbody tr').length === 8");
            timings.Add(clock.Elapsed.TotalMilliseconds);
        }
        var resultsClock = Stopwatch.StartNew();
        await page.ClickAsync("a[data-nav=results]");
        await page.WaitForSelectorAsync("#page-info:has-text('1–50 of 10000')");
        var resultsPage = resultsClock.Elapsed.TotalMilliseconds;
        timings.Sort();
        // Measured, not asserted: wall-clock numbers depend on the machine. The reload round-trips include chromium's own work.
        output.WriteLine($"dashboard with 10000 results: overview reload to rendered min {timings[0]:0} ms, median {timings[2]:0} ms, max {timings[^1]:0} ms; results page (50 of 10000) {resultsPage:0} ms");
        Assert.Equal(50, await page.Locator("#results tbody tr").CountAsync());
    }
}
