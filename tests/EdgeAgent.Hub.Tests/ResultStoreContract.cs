using EdgeAgent.Hub.Storage;
using EdgeAgent.Hub.Tests.Support;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Tests;

/// <summary>The rules of <see cref="IResultStore"/>, run against every implementation (SQLite and PostgreSQL).</summary>
public abstract class ResultStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 10, 0, 0, TimeSpan.Zero);
    private IResultStore _store = null!;

    protected abstract Task<IResultStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static ResultMessage Result(int n, string device = "xr-1", string? label = null) =>
        SimulatedAgent.Result("clinic-a", device, n, T0.AddMinutes(n)) with { Label = label ?? "covid" };

    [Fact]
    public async Task A_result_id_is_stored_once_across_and_within_batches_and_the_first_copy_wins()
    {
        var first = await _store.AddResultsAsync([Result(1, label: "covid"), Result(2), Result(1, label: "normal")], T0, CancellationToken.None);
        Assert.Equal(["xr-1-r0001", "xr-1-r0002"], first.Select(r => r.Result.ResultId));
        var second = await _store.AddResultsAsync([Result(2), Result(3)], T0, CancellationToken.None);
        Assert.Equal("xr-1-r0003", Assert.Single(second).Result.ResultId);
        Assert.Equal(3, await _store.CountResultsAsync(CancellationToken.None));
        Assert.Equal("covid", (await _store.GetResultAsync("xr-1-r0001", CancellationToken.None))!.Result.Label);
        Assert.Empty(await _store.AddResultsAsync([], T0, CancellationToken.None));
    }

    [Fact]
    public async Task A_stored_result_reads_back_as_sent()
    {
        var sent = Result(4) with { Reasons = ["low contrast"], OodScore = 0.25, HasOverlay = true };
        await _store.AddResultsAsync([sent], T0.AddHours(1), CancellationToken.None);
        var stored = (await _store.GetResultAsync(sent.ResultId, CancellationToken.None))!;
        Assert.Equal(T0.AddHours(1), stored.ReceivedAt);
        Assert.Equal(sent.Input, stored.Result.Input);
        Assert.Equal(sent.Model, stored.Result.Model);
        Assert.Equal(sent.Reasons, stored.Result.Reasons);
        Assert.Equal(sent.Probabilities, stored.Result.Probabilities);
        Assert.Equal(sent.AcquiredAt, stored.Result.AcquiredAt);
        Assert.Equal(0.25, stored.Result.OodScore);
        Assert.Null(await _store.GetResultAsync("missing", CancellationToken.None));
    }

    [Fact]
    public async Task A_status_from_an_older_birth_is_ignored_and_one_from_the_same_birth_applies()
    {
        StatusMessage Status(string state, long birth) => new() { DeviceId = "xr-1", Site = "clinic-a", State = state, BirthSequence = birth, ModelVersion = "2.0.0" };
        Assert.NotNull(await _store.ApplyStatusAsync(Status("online", 5), T0, CancellationToken.None));
        Assert.Null(await _store.ApplyStatusAsync(Status("offline", 4), T0.AddMinutes(1), CancellationToken.None));
        Assert.Equal("online", Assert.Single(await _store.GetDevicesAsync(CancellationToken.None)).Status!.State);
        var will = await _store.ApplyStatusAsync(Status("offline", 5), T0.AddMinutes(2), CancellationToken.None);
        Assert.Equal("offline", will!.Status!.State);
        Assert.Equal(T0.AddMinutes(2), will.LastSeen);
    }

    [Fact]
    public async Task Results_make_a_device_known_and_model_updates_are_kept()
    {
        await _store.AddResultsAsync([Result(1, "xr-7")], T0, CancellationToken.None);
        var device = Assert.Single(await _store.GetDevicesAsync(CancellationToken.None));
        Assert.Equal(("clinic-a", "xr-7", T0), (device.Site, device.DeviceId, device.LastSeen));
        Assert.Null(device.Status);
        var updated = await _store.ApplyModelUpdateAsync("clinic-a", "xr-7", "{\"state\":\"verified\"}", T0.AddMinutes(3), CancellationToken.None);
        Assert.Equal("{\"state\":\"verified\"}", updated.ModelUpdateJson);
        Assert.Equal(T0.AddMinutes(3), updated.ModelUpdateAt);
        Assert.Equal(T0.AddMinutes(3), updated.LastSeen);
    }

    [Fact]
    public async Task Queries_filter_page_and_order_by_acquisition()
    {
        var batch = Enumerable.Range(0, 20).Select(n => Result(n, n % 2 == 0 ? "xr-1" : "xr-2", n % 4 == 0 ? "normal" : "covid")).ToList();
        await _store.AddResultsAsync(batch, T0, CancellationToken.None);

        var page = await _store.QueryResultsAsync(new ResultQuery { Offset = 5, Limit = 5 }, CancellationToken.None);
        Assert.Equal(20, page.Total);
        Assert.Equal([14, 13, 12, 11, 10], page.Items.Select(r => (int)(r.Result.AcquiredAt - T0).TotalMinutes));
        Assert.Equal(10, (await _store.QueryResultsAsync(new ResultQuery { DeviceId = "xr-2" }, CancellationToken.None)).Total);
        Assert.Equal(5, (await _store.QueryResultsAsync(new ResultQuery { Label = "normal" }, CancellationToken.None)).Total);
        // From inclusive, To exclusive, given in another offset than UTC: minutes 3..6.
        var plusTwo = TimeSpan.FromHours(2);
        var window = await _store.QueryResultsAsync(new ResultQuery { From = T0.AddMinutes(3).ToOffset(plusTwo), To = T0.AddMinutes(7).ToOffset(plusTwo) }, CancellationToken.None);
        Assert.Equal([6, 5, 4, 3], window.Items.Select(r => (int)(r.Result.AcquiredAt - T0).TotalMinutes));
        var exported = new List<StoredResult>();
        await foreach (var r in _store.ExportResultsAsync(new ResultQuery { DeviceId = "xr-1", Limit = 1 }, CancellationToken.None))
        {
            exported.Add(r);
        }
        Assert.Equal(10, exported.Count);

        // Any of several statuses (the review queue): of n = 100..119, n % 5 == 0 needs review (4), n % 5 == 1 is out of distribution (4).
        var statuses = Enumerable.Range(100, 20).Select(n => Result(n) with
        {
            Status = (n % 5) switch { 0 => ResultStatus.NeedsReview, 1 => ResultStatus.OutOfDistribution, 2 => ResultStatus.Rejected, _ => ResultStatus.Ok },
        }).ToList();
        await _store.AddResultsAsync(statuses, T0, CancellationToken.None);
        var queue = await _store.QueryResultsAsync(new ResultQuery { Statuses = [ResultStatus.NeedsReview, ResultStatus.OutOfDistribution] }, CancellationToken.None);
        Assert.Equal(8, queue.Total);
        Assert.All(queue.Items, r => Assert.Contains(r.Result.Status, new[] { ResultStatus.NeedsReview, ResultStatus.OutOfDistribution }));
        Assert.Equal(4, (await _store.QueryResultsAsync(new ResultQuery { Statuses = [ResultStatus.Rejected] }, CancellationToken.None)).Total);
        Assert.Equal(20 + 20, (await _store.QueryResultsAsync(new ResultQuery { Statuses = [] }, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Delete_removes_only_results_acquired_before_the_cutoff()
    {
        await _store.AddResultsAsync([Result(0), Result(10), Result(20)], T0, CancellationToken.None);
        var deleted = await _store.DeleteResultsAcquiredBeforeAsync(T0.AddMinutes(10), CancellationToken.None);
        Assert.Equal(["xr-1-r0000"], deleted);
        Assert.Equal(2, await _store.CountResultsAsync(CancellationToken.None));
        Assert.NotNull(await _store.GetResultAsync("xr-1-r0010", CancellationToken.None));
    }
}
