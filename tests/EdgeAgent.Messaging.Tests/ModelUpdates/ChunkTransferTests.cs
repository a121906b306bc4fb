using EdgeAgent.Messaging.ModelUpdates;
using EdgeAgent.Messaging.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Messaging.Tests.ModelUpdates;

/// <summary>Chunk transfer through a real mosquitto: hub server and device downloaders on separate links.</summary>
public sealed class ChunkTransferTests : IDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly TempDirectory _dir = new("edgeagent-chunks-");

    [Fact]
    public async Task Two_devices_download_the_same_package_at_once_and_get_identical_bytes()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var package = UpdateLinks.WritePackage(_dir.File("pkg.zip"), 40 * ChunkSize + 123, 7);
        var manifest = PackageChunker.Describe(package, "m", "2.0.0", ChunkSize, TimeProvider.System);
        await using var hub = await UpdateLinks.StartAsync(broker.PlainUrl, "hub");
        await using var server = new ChunkServer(hub, UpdateLinks.Site, NullLogger.Instance);
        server.Offer(manifest, package);
        await server.StartAsync(CancellationToken.None);

        var downloads = new[] { "dev-a", "dev-b" }.Select(async device =>
        {
            await using var link = await UpdateLinks.StartAsync(broker.PlainUrl, device);
            using var downloader = new ChunkDownloader(link, UpdateLinks.Site, device, new ChunkDownloadOptions(), TimeProvider.System);
            var store = new ChunkStore(_dir.Directory(device), manifest);
            return await downloader.DownloadAsync(manifest, store, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }).ToList();
        var paths = await Task.WhenAll(downloads);

        var original = await File.ReadAllBytesAsync(package);
        foreach (var path in paths)
        {
            Assert.Equal(original, await File.ReadAllBytesAsync(path));
        }
        // Both devices were served from one server, each on its own response topic.
        Assert.Equal(2, server.BytesByDevice.Count);
        Assert.All(server.BytesByDevice.Values, bytes => Assert.True(bytes >= original.Length));
    }

    [Fact]
    public async Task A_chunk_that_does_not_match_the_signed_hash_is_never_stored_and_ends_the_transfer()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var package = UpdateLinks.WritePackage(_dir.File("pkg.zip"), 8 * ChunkSize, 8);
        var manifest = PackageChunker.Describe(package, "m", "2.0.0", ChunkSize, TimeProvider.System);
        // Someone alters the served file after it was signed: one byte in chunk 5.
        await using (var stream = new FileStream(package, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 5 * ChunkSize + 100;
            var b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(b ^ 0xFF));
        }
        await using var hub = await UpdateLinks.StartAsync(broker.PlainUrl, "hub");
        await using var server = new ChunkServer(hub, UpdateLinks.Site, NullLogger.Instance);
        server.Offer(manifest, package);
        await server.StartAsync(CancellationToken.None);
        await using var link = await UpdateLinks.StartAsync(broker.PlainUrl, "dev-a");
        using var downloader = new ChunkDownloader(link, UpdateLinks.Site, "dev-a", new ChunkDownloadOptions(), TimeProvider.System);
        var store = new ChunkStore(_dir.Directory("dev-a"), manifest);

        var ex = await Assert.ThrowsAsync<UpdateRejectedException>(() => downloader.DownloadAsync(manifest, store, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("chunk 5 sha256 mismatch (3 times)", ex.Message);
        Assert.False(store.Has(5));
        Assert.False(File.Exists(store.PackagePath));
    }

    [Fact]
    public async Task A_transfer_cut_by_a_broker_restart_and_a_device_restart_resumes_from_the_chunks_on_disk()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var package = UpdateLinks.WritePackage(_dir.File("pkg.zip"), 60 * ChunkSize, 9);
        var manifest = PackageChunker.Describe(package, "m", "2.0.0", ChunkSize, TimeProvider.System);
        await using var hub = await UpdateLinks.StartAsync(broker.PlainUrl, "hub");
        await using var server = new ChunkServer(hub, UpdateLinks.Site, NullLogger.Instance);
        server.Offer(manifest, package);
        await server.StartAsync(CancellationToken.None);
        var storeDirectory = _dir.Directory("dev-a");
        // Capped at 20 chunks/s so the restarts land mid-transfer.
        var capped = new ChunkDownloadOptions { MaxBytesPerSecond = 20 * ChunkSize, RequestTimeout = TimeSpan.FromSeconds(2) };

        // First run: the device process "dies" (its download is cancelled, its link disposed) at >= 20%.
        await using (var link = await UpdateLinks.StartAsync(broker.PlainUrl, "dev-a"))
        using (var downloader = new ChunkDownloader(link, UpdateLinks.Site, "dev-a", capped, TimeProvider.System))
        using (var died = new CancellationTokenSource())
        {
            var progress = new SyncProgress(p => { if (p.Percent >= 20) { died.Cancel(); } });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                downloader.DownloadAsync(manifest, new ChunkStore(storeDirectory, manifest), progress, died.Token));
        }
        var afterFirst = new ChunkStore(storeDirectory, manifest).ChunksPresent;
        Assert.InRange(afterFirst, 12, 59);

        // Second run: restart the broker while the download is going.
        await using var link2 = await UpdateLinks.StartAsync(broker.PlainUrl, "dev-a");
        using var downloader2 = new ChunkDownloader(link2, UpdateLinks.Site, "dev-a", capped, TimeProvider.System);
        var store = new ChunkStore(storeDirectory, manifest);
        var halfway = new TaskCompletionSource();
        var served = server.ChunksServed;
        var download = downloader2.DownloadAsync(manifest, store, new SyncProgress(p => { if (p.Percent >= 60) { halfway.TrySetResult(); } }), CancellationToken.None);
        await halfway.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await broker.StopAsync();
        await Task.Delay(500);
        await broker.StartAsync();
        var path = await download.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(await File.ReadAllBytesAsync(package), await File.ReadAllBytesAsync(path));
        // Chunks from the first run were not fetched again: the second run asked for the rest (plus, at most,
        // the window of requests the broker restart lost, re-sent after their timeout).
        var servedSecond = server.ChunksServed - served;
        Assert.InRange(servedSecond, 60 - afterFirst, 60 - afterFirst + 2 * capped.Window);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
