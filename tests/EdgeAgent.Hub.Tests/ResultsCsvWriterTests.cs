using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Storage;
using EdgeAgent.Hub.Tests.Support;

namespace EdgeAgent.Hub.Tests;

public sealed class ResultsCsvWriterTests
{
    private static async IAsyncEnumerable<StoredResult> One(StoredResult result)
    {
        await Task.Yield();
        yield return result;
    }

    [Fact]
    public async Task Cells_with_commas_and_quotes_are_quoted_and_formula_starts_are_defused()
    {
        var result = SimulatedAgent.Result("clinic-a", "xr-1", 4) with
        {
            Input = SimulatedAgent.Result("clinic-a", "xr-1", 4).Input with { FileName = "=HYPERLINK(\"http://x\")" },
            Reasons = ["low contrast, retake", "patient \"moved\""],
        };
        var text = new StringWriter();
        await ResultsCsvWriter.WriteAsync(text, One(new StoredResult(result, DateTimeOffset.UnixEpoch)), CancellationToken.None);
        var row = text.ToString().Split("\r\n")[1];

        Assert.Contains(",\"low contrast, retake; patient \"\"moved\"\"\",", row, StringComparison.Ordinal);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\")\",", row, StringComparison.Ordinal);
        Assert.Contains(",1970-01-01T00:00:00.000Z,", row, StringComparison.Ordinal);
        Assert.Contains(",covid=0.15;pneumonia=0.7;normal=0.15,", row, StringComparison.Ordinal);
    }
}
