using System.Net;
using System.Net.Http.Headers;
using EdgeAgent.Hub.Configuration;
using EdgeAgent.Hub.Hosting;
using EdgeAgent.Hub.Tests.Support;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hub.Tests;

public sealed class AuthTests
{
    public static TheoryData<string> ApiPaths => new()
    {
        "/api/devices", "/api/results", "/api/results.csv", "/api/results/x-1", "/api/results/x-1/overlay", "/api/models", "/api/stats", "/api/events",
    };

    [Theory]
    [MemberData(nameof(ApiPaths))]
    public async Task Api_refuses_requests_without_a_token_or_with_a_wrong_one(string path)
    {
        await using var hub = await TestHub.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = hub.Runtime.Address };
        using (var response = await anonymous.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        foreach (var wrong in new[] { TestHub.Token + "x", TestHub.Token[..^1], "Basic " + TestHub.Token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", wrong.StartsWith("Basic", StringComparison.Ordinal) ? wrong : "Bearer " + wrong);
            using var response = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Right_token_is_accepted_and_the_dashboard_files_need_none()
    {
        await using var hub = await TestHub.StartAsync();
        using var ok = await hub.Http.GetAsync("/api/devices");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(ok.Headers.CacheControl?.NoStore, "API answers hold patient data and must not be cached");
        using var anonymous = new HttpClient { BaseAddress = hub.Runtime.Address };
        foreach (var (path, type) in new[] { ("/", "text/html"), ("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css") })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Token_is_generated_once_into_a_private_file_reused_on_restart_and_never_logged()
    {
        var folder = Directory.CreateTempSubdirectory("edge-hub-test-");
        try
        {
            var logs = new CapturedLogs();
            var options = new HubOptions
            {
                Broker = { Port = TestHub.FreePort() },
                Http = { Url = "http://127.0.0.1:0" },
                Storage = { DataDirectory = folder.FullName },
            };
            string first;
            await using (var hub = await HubRuntime.StartAsync(options, CancellationToken.None, configureLogging: b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)))
            {
                Assert.True(hub.Token.WasGenerated);
                first = hub.Token.Value;
                Assert.True(first.Length >= 32);
                // The file holds exactly the token (no byte-order mark), so `curl -H "Authorization: Bearer $(cat hub-token)"` works.
                Assert.Equal(first + "\n", File.ReadAllText(hub.Token.File!, new System.Text.UTF8Encoding(false)).Replace("\r\n", "\n", StringComparison.Ordinal));
                Assert.NotEqual(0xEF, File.ReadAllBytes(hub.Token.File!)[0]);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(hub.Token.File!));
                }
                using var http = new HttpClient { BaseAddress = hub.Address };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", first);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/stats")).StatusCode);
            }
            options.Broker.Port = TestHub.FreePort();
            await using (var hub = await HubRuntime.StartAsync(options, CancellationToken.None, configureLogging: b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)))
            {
                Assert.False(hub.Token.WasGenerated);
                Assert.Equal(first, hub.Token.Value);
            }
            Assert.NotEmpty(logs.Lines);
            Assert.DoesNotContain(logs.Lines, l => l.Contains(first, StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
