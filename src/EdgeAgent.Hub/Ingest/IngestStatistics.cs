namespace EdgeAgent.Hub.Ingest;

/// <summary>Counters since start-up, shown by /api/stats: what arrived, what was new, what was a harmless duplicate, what was refused.</summary>
public sealed class IngestStatistics
{
    private long _resultsReceived;
    private long _resultsStored;
    private long _duplicates;
    private long _refused;
    private long _overlaysStored;

    public long ResultsReceived => Interlocked.Read(ref _resultsReceived);
    public long ResultsStored => Interlocked.Read(ref _resultsStored);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Refused => Interlocked.Read(ref _refused);
    public long OverlaysStored => Interlocked.Read(ref _overlaysStored);

    public bool Connected { get; set; }

    internal void AddResults(int received, int stored)
    {
        Interlocked.Add(ref _resultsReceived, received);
        Interlocked.Add(ref _resultsStored, stored);
        Interlocked.Add(ref _duplicates, received - stored);
    }

    internal void AddRefused() => Interlocked.Increment(ref _refused);

    internal void AddOverlay() => Interlocked.Increment(ref _overlaysStored);
}
