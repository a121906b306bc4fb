namespace EdgeAgent.Hub.Ingest;

public enum HubTopicKind
{
    Status,
    Result,
    Overlay,
    ModelStatus,
}
