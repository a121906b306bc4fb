namespace EdgeAgent.Hub.Api;

/// <summary>One row of the results list.</summary>
public sealed record ResultSummaryView(
    string ResultId,
    string Site,
    string DeviceId,
    string Status,
    string? Label,
    double? Confidence,
    DateTimeOffset AcquiredAt,
    DateTimeOffset DiagnosedAt,
    DateTimeOffset ReceivedAt,
    string ModelName,
    string ModelVersion,
    string FileName,
    bool HasOverlay);
