namespace EdgeAgent.Hub.Storage;

/// <summary>Filter and page for results; null members do not filter. <see cref="From"/> inclusive, <see cref="To"/> exclusive, on acquisition time.</summary>
public sealed record ResultQuery
{
    public const int MaxLimit = 500;

    public string? DeviceId { get; init; }
    public string? Site { get; init; }
    public string? Label { get; init; }
    /// <summary>Any of these statuses (e.g. needs-review and out-of-distribution: the review queue); null or empty = every status.</summary>
    public IReadOnlyList<string>? Statuses { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; } = 50;
}
