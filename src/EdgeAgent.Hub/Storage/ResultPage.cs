namespace EdgeAgent.Hub.Storage;

/// <summary>One page of a result query and how many results match in total.</summary>
public sealed record ResultPage(IReadOnlyList<StoredResult> Items, long Total, int Offset, int Limit);
