namespace EdgeAgent.Hub.Api;

/// <summary>Hub health: broker link and ingest counters since start-up.</summary>
public sealed record HubStatsView(
    bool BrokerConnected,
    long StoredResults,
    long ResultsReceived,
    long ResultsStored,
    long DuplicatesIgnored,
    long MessagesRefused,
    long OverlaysStored,
    int LiveSubscribers);
