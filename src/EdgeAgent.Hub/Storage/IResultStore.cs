using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Storage;

/// <summary>
/// Where the hub keeps results, device states and model-update states. SQLite (<see cref="SqliteResultStore"/>) ships;
/// a PostgreSQL store implements the same members (docs/hub.md lists the table shapes and the rules below).
/// Rules every implementation keeps:
/// <list type="bullet">
/// <item>Results are idempotent by <see cref="ResultMessage.ResultId"/>: the first copy wins, later copies are ignored
/// (an agent republishes after a lost PUBACK or on <c>resync</c>).</item>
/// <item>A batch is written in one transaction and is durable when the call returns: the hub acknowledges the MQTT
/// messages only after that.</item>
/// <item>Status updates with a lower birth sequence than the stored one are stale and ignored.</item>
/// <item>Time filters and retention use the result's acquisition time; ordering is newest acquisition first.</item>
/// </list>
/// Overlays are not in the store: <see cref="OverlayFileStore"/> keeps them as files named by result id.
/// </summary>
public interface IResultStore : IAsyncDisposable
{
    /// <summary>Creates the schema when missing. Called once before any other member.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Stores the results not stored before, in one transaction; returns only the newly stored ones.</summary>
    Task<IReadOnlyList<StoredResult>> AddResultsAsync(IReadOnlyList<ResultMessage> results, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Records a device status unless it is older (lower birth sequence) than the stored one; returns the device as stored, or null when stale.</summary>
    Task<DeviceRecord?> ApplyStatusAsync(StatusMessage status, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Records the latest model-update status JSON a device published on its model/status topic.</summary>
    Task<DeviceRecord> ApplyModelUpdateAsync(string site, string deviceId, string payloadJson, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken);

    Task<StoredResult?> GetResultAsync(string resultId, CancellationToken cancellationToken);

    /// <summary>One page of results matching the filter, newest acquisition first, with the total match count.</summary>
    Task<ResultPage> QueryResultsAsync(ResultQuery query, CancellationToken cancellationToken);

    /// <summary>Every result matching the filter (paging ignored), streamed for export.</summary>
    IAsyncEnumerable<StoredResult> ExportResultsAsync(ResultQuery query, CancellationToken cancellationToken);

    Task<long> CountResultsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes results acquired strictly before <paramref name="cutoff"/>; returns their ids (to delete their overlays).</summary>
    Task<IReadOnlyList<string>> DeleteResultsAcquiredBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
