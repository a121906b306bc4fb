using EdgeAgent.Messaging.Outbox;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Messaging.TestHost;
using Microsoft.Data.Sqlite;

namespace EdgeAgent.Messaging.Tests;

public sealed class OutboxStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private OutboxStore Open(OutboxOptions? options = null, TimeProvider? time = null)
    {
        options ??= new OutboxOptions();
        options.Path = _directory.File("outbox.db");
        return new OutboxStore(options, time ?? TimeProvider.System);
    }

    [Fact]
    public void Pending_entries_come_out_in_acquisition_order_not_insertion_order()
    {
        using var store = Open();
        foreach (var index in new[] { 5, 1, 3, 2, 4 })
        {
            Assert.Equal(EnqueueOutcome.Queued, store.Enqueue(SampleResults.Numbered(index)));
        }

        var ids = store.PeekPending(10).Select(m => m.Entry.ResultId);

        Assert.Equal(new[] { 1, 2, 3, 4, 5 }.Select(i => SampleResults.Numbered(i).ResultId), ids);
    }

    [Fact]
    public void The_same_result_id_is_stored_once_so_reprocessing_after_a_crash_is_harmless()
    {
        using var store = Open();
        var result = SampleResults.Numbered(7);

        Assert.Equal(EnqueueOutcome.Queued, store.Enqueue(result));
        Assert.Equal(EnqueueOutcome.AlreadyQueued, store.Enqueue(result));
        Assert.True(store.Contains(result.ResultId));
        Assert.Equal(1, store.GetStats().PendingCount);
    }

    [Fact]
    public void Result_and_overlay_are_stored_together_and_survive_reopening()
    {
        var overlay = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 };
        using (var store = Open())
        {
            store.Enqueue(SampleResults.Numbered(1, hasOverlay: true), overlay);
        }
        using var reopened = Open();

        var message = Assert.Single(reopened.PeekPending(10));

        Assert.Equal(overlay, message.Overlay);
        Assert.True(message.Entry.HasOverlay);
        Assert.Contains("\"resultId\":\"" + SampleResults.Numbered(1).ResultId, System.Text.Encoding.UTF8.GetString(message.ResultJson));
    }

    [Fact]
    public void The_database_is_in_WAL_mode_with_full_synchronous_commits()
    {
        using var store = Open();
        store.Enqueue(SampleResults.Numbered(1));
        using var other = new SqliteConnection($"Data Source={store.DatabasePath}");
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", command.ExecuteScalar());
        // synchronous is per connection, so it is read from the store's own connection.
        Assert.Equal(2L, store.ReadPragma("synchronous"));
    }

    [Fact]
    public void Marking_published_moves_entries_out_of_the_pending_queue_and_keeps_them_for_resync()
    {
        var time = new ManualTime(SampleResults.Epoch.AddDays(1));
        using var store = Open(time: time);
        for (var i = 0; i < 4; i++)
        {
            store.Enqueue(SampleResults.Numbered(i));
        }
        var batch = store.PeekPending(2);

        store.MarkPublished(batch.Select(m => m.Entry.Sequence).ToList());

        var stats = store.GetStats();
        Assert.Equal(2, stats.PendingCount);
        Assert.Equal(2, stats.PublishedCount);
        Assert.Equal(time.GetUtcNow(), stats.LastPublishedAt);
        var published = store.List(OutboxEntryState.Published);
        Assert.Equal(batch.Select(m => m.Entry.ResultId), published.Select(e => e.ResultId));
        Assert.All(published, e => Assert.Equal(1, e.Attempts));
        Assert.Equal(SampleResults.Numbered(2).ResultId, store.PeekPending(1)[0].Entry.ResultId);
    }

    [Fact]
    public void A_failure_is_counted_and_remembered_and_the_entry_stays_first_in_line()
    {
        using var store = Open();
        store.Enqueue(SampleResults.Numbered(0));
        store.Enqueue(SampleResults.Numbered(1));
        var first = store.PeekPending(1)[0].Entry;

        store.RecordFailure(first.Sequence, "result: broker refused it (NotAuthorized)");

        var again = store.PeekPending(1)[0].Entry;
        Assert.Equal(first.ResultId, again.ResultId);
        Assert.Equal(1, again.Attempts);
        Assert.Equal("result: broker refused it (NotAuthorized)", again.LastError);
    }

    [Fact]
    public void Republish_queues_kept_results_of_a_time_range_again()
    {
        using var store = Open();
        for (var i = 0; i < 10; i++)
        {
            store.Enqueue(SampleResults.Numbered(i));
        }
        store.MarkPublished(store.PeekPending(10).Select(m => m.Entry.Sequence).ToList());

        // Numbered(i) is acquired at Epoch + i seconds: [3 s, 6 s] holds 3, 4, 5, 6.
        var count = store.Republish(SampleResults.Epoch.AddSeconds(3), SampleResults.Epoch.AddSeconds(6));

        Assert.Equal(4, count);
        Assert.Equal(new[] { 3, 4, 5, 6 }.Select(i => SampleResults.Numbered(i).ResultId), store.PeekPending(10).Select(m => m.Entry.ResultId));
    }

    [Fact]
    public void At_the_count_cap_the_outbox_is_full_writes_nothing_and_drops_nothing()
    {
        using var store = Open(new OutboxOptions { MaxPendingCount = 3 });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(EnqueueOutcome.Queued, store.Enqueue(SampleResults.Numbered(i)));
        }

        Assert.Equal(EnqueueOutcome.Full, store.Enqueue(SampleResults.Numbered(3)));

        var stats = store.GetStats();
        Assert.True(stats.IsFull);
        Assert.Contains("Outbox:MaxPendingCount", stats.FullReason);
        Assert.Equal(3, stats.PendingCount);
        Assert.False(store.Contains(SampleResults.Numbered(3).ResultId));

        // Once one is published there is room again.
        store.MarkPublished([store.PeekPending(1)[0].Entry.Sequence]);
        Assert.False(store.GetStats().IsFull);
        Assert.Equal(EnqueueOutcome.Queued, store.Enqueue(SampleResults.Numbered(3)));
    }

    [Fact]
    public void At_the_byte_cap_kept_results_make_room_first_and_unsent_ones_are_never_pruned()
    {
        var overlay = new byte[40_000];
        using var store = Open(new OutboxOptions { MaxBytes = 100_000 });
        store.Enqueue(SampleResults.Numbered(0, hasOverlay: true), overlay);
        store.Enqueue(SampleResults.Numbered(1, hasOverlay: true), overlay);
        store.MarkPublished([store.PeekPending(1)[0].Entry.Sequence]);

        // 2 x ~40 KB stored; a third needs the kept one's room.
        Assert.Equal(EnqueueOutcome.Queued, store.Enqueue(SampleResults.Numbered(2, hasOverlay: true), overlay));
        Assert.False(store.Contains(SampleResults.Numbered(0).ResultId));
        Assert.Equal(2, store.GetStats().PendingCount);

        // Now only unsent results fill the cap: full, and both are still there.
        Assert.Equal(EnqueueOutcome.Full, store.Enqueue(SampleResults.Numbered(3, hasOverlay: true), overlay));
        Assert.Contains("Outbox:MaxBytes", store.GetStats().FullReason);
        Assert.True(store.Contains(SampleResults.Numbered(1).ResultId));
        Assert.True(store.Contains(SampleResults.Numbered(2).ResultId));
    }

    [Fact]
    public void Stats_report_depth_bytes_oldest_age_and_the_stale_alarm()
    {
        var time = new ManualTime(SampleResults.Epoch.AddHours(2));
        using var store = Open(new OutboxOptions { MaxPendingAge = TimeSpan.FromHours(1) }, time);
        store.Enqueue(SampleResults.Numbered(0));
        store.Enqueue(SampleResults.Numbered(60));

        var stats = store.GetStats();

        Assert.Equal(2, stats.PendingCount);
        Assert.True(stats.PendingBytes > 0);
        Assert.Equal(SampleResults.Epoch, stats.OldestPendingAcquiredAt);
        Assert.Equal(TimeSpan.FromHours(2), stats.OldestPendingAge);
        Assert.True(stats.Stale);
        Assert.True(stats.FileBytes > 0);
    }

    [Fact]
    public void Expired_kept_results_are_pruned_but_pending_ones_of_any_age_stay()
    {
        var time = new ManualTime(SampleResults.Epoch);
        using var store = Open(new OutboxOptions { PublishedRetention = TimeSpan.FromDays(1) }, time);
        store.Enqueue(SampleResults.Numbered(0));
        store.Enqueue(SampleResults.Numbered(1));
        store.MarkPublished([store.PeekPending(1)[0].Entry.Sequence]);
        time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(1, store.PruneExpired());

        Assert.False(store.Contains(SampleResults.Numbered(0).ResultId));
        Assert.True(store.Contains(SampleResults.Numbered(1).ResultId));
    }

    [Fact]
    public void The_birth_sequence_grows_across_restarts()
    {
        long first;
        using (var store = Open())
        {
            first = store.NextBirthSequence();
            Assert.Equal(first + 1, store.NextBirthSequence());
        }
        using var reopened = Open();

        Assert.Equal(first + 2, reopened.NextBirthSequence());
    }
}
