namespace EdgeAgent.Hub.Api;

public sealed record ResultPageView(IReadOnlyList<ResultSummaryView> Items, long Total, int Offset, int Limit);
