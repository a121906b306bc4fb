using System.Net;
using System.Net.Http.Json;
using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Tests.Support;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Tests;

public sealed class ResultQueryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private TestHub _hub = null!;

    /// <summary>
    /// 30 results: xr-1 at clinic-a publishes n = 0..19, xr-2 at clinic-b n = 20..29; acquired an hour apart from T0;
    /// labels cycle covid/pneumonia/normal by n; every fifth is needs-review; of the rest, n % 7 == 1 is out-of-distribution (1, 8, 22, 29).
    /// </summary>
    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        await using var a = new SimulatedAgent("clinic-a", "xr-1", _hub.BrokerPort);
        await using var b = new SimulatedAgent("clinic-b", "xr-2", _hub.BrokerPort);
        await a.ConnectAsync();
        await b.ConnectAsync();
        for (var n = 0; n < 30; n++)
        {
            var (agent, site, device) = n < 20 ? (a, "clinic-a", "xr-1") : (b, "clinic-b", "xr-2");
            await agent.PublishResultAsync(SimulatedAgent.Result(site, device, n, T0.AddHours(n), n % 5 == 0 ? ResultStatus.NeedsReview : n % 7 == 1 ? ResultStatus.OutOfDistribution : null));
        }
        await _hub.WaitForStoredResultsAsync(30);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private Task<ResultPageView> PageAsync(string query) => _hub.GetJsonAsync<ResultPageView>("/api/results?" + query);

    [Fact]
    public async Task Pages_cover_every_result_once_newest_acquisition_first()
    {
        var seen = new List<ResultSummaryView>();
        for (var offset = 0; offset < 30; offset += 7)
        {
            var page = await PageAsync($"offset={offset}&limit=7");
            Assert.Equal(30, page.Total);
            Assert.Equal(Math.Min(7, 30 - offset), page.Items.Count);
            seen.AddRange(page.Items);
        }
        Assert.Equal(30, seen.Select(r => r.ResultId).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(r => r.AcquiredAt).Select(r => r.ResultId), seen.Select(r => r.ResultId));
        Assert.Equal(T0.AddHours(29), seen[0].AcquiredAt);
        Assert.Empty((await PageAsync("offset=30")).Items);
    }

    [Fact]
    public async Task Filters_by_device_site_label_status_and_time_range_combine()
    {
        Assert.Equal(20, (await PageAsync("device=xr-1")).Total);
        Assert.Equal(10, (await PageAsync("site=clinic-b")).Total);
        // covid is n % 3 == 0: 0,3,...,27 = 10 results; of those in xr-1 (n < 20): 0,3,...,18 = 7.
        Assert.Equal(10, (await PageAsync("label=covid")).Total);
        Assert.Equal(7, (await PageAsync("label=covid&device=xr-1")).Total);
        // needs-review is n % 5 == 0: 0,5,...,25 = 6.
        var review = await PageAsync("status=needs-review");
        Assert.Equal(6, review.Total);
        Assert.All(review.Items, r => Assert.Equal(ResultStatus.NeedsReview, r.Status));
        // Several statuses (the review queue), comma-separated or repeated: 6 needs-review + 4 out-of-distribution.
        var queue = await PageAsync("status=needs-review,out-of-distribution");
        Assert.Equal(10, queue.Total);
        Assert.Equal(
            ["xr-2-r0029", "xr-2-r0025", "xr-2-r0022", "xr-2-r0020", "xr-1-r0015", "xr-1-r0010", "xr-1-r0008", "xr-1-r0005", "xr-1-r0001", "xr-1-r0000"],
            queue.Items.Select(r => r.ResultId));
        Assert.Equal(10, (await PageAsync("status=needs-review&status=out-of-distribution")).Total);
        // Combined with another filter, and a repeated name counted once: xr-1's out-of-distribution results are n = 1, 8.
        Assert.Equal(2, (await PageAsync("status=out-of-distribution&device=xr-1&status=out-of-distribution")).Total);
        Assert.Equal(20, (await PageAsync("status=ok")).Total);
        // [T0+10h, T0+15h): n = 10..14.
        var window = await PageAsync($"from={Uri.EscapeDataString(T0.AddHours(10).ToString("O"))}&to={Uri.EscapeDataString(T0.AddHours(15).ToString("O"))}");
        Assert.Equal(["xr-1-r0014", "xr-1-r0013", "xr-1-r0012", "xr-1-r0011", "xr-1-r0010"], window.Items.Select(r => r.ResultId));
        Assert.Equal(0, (await PageAsync("device=nobody")).Total);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("status=fine", "status")]
    [InlineData("status=ok,needs_review", "status")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string query, string parameter)
    {
        using var response = await _hub.Http.GetAsync("/api/results?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.Contains($"'{parameter}'", body!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_result_is_a_404()
    {
        using var response = await _hub.Http.GetAsync("/api/results/does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Csv_export_has_a_header_and_one_row_per_matching_result()
    {
        using var response = await _hub.Http.GetAsync("/api/results.csv?device=xr-2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal(string.Join(',', ResultsCsvWriter.Header), lines[0]);
        Assert.Equal(11, lines.Count);
        var header = lines[0].Split(',');
        var newest = lines[1].Split(',');
        Assert.Equal("xr-2-r0029", newest[Array.IndexOf(header, "resultId")]);
        Assert.Equal("normal", newest[Array.IndexOf(header, "label")]); // labels cycle covid, pneumonia, normal: 29 % 3 == 2
    }
}
