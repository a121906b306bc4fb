using EdgeAgent.Hub.Api;
using EdgeAgent.Hub.Storage;
using EdgeAgent.Hub.Tests.Support;

namespace EdgeAgent.Hub.Tests;

/// <summary>One PostgreSQL cluster for the class; every test gets its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class PostgresResultStoreTests(PostgresFixture postgres) : ResultStoreContract, IClassFixture<PostgresFixture>
{
    protected override async Task<IResultStore> CreateStoreAsync() =>
        new PostgresResultStore(await postgres.Server.CreateDatabaseAsync());

    [Fact]
    public async Task A_hub_on_postgresql_stores_duplicated_results_from_an_agent_once()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using var hub = await TestHub.StartAsync(o =>
        {
            o.Storage.Provider = "postgresql";
            o.Storage.PostgresConnectionString = connectionString;
        });
        await using var agent = new SimulatedAgent("clinic-a", "xr-1", hub.BrokerPort);
        await agent.ConnectAsync();
        for (var n = 0; n < 30; n++)
        {
            var result = SimulatedAgent.Result("clinic-a", "xr-1", n);
            await agent.PublishResultAsync(result);
            await agent.PublishResultAsync(result);
        }
        await hub.WaitForReceivedResultsAsync(60);
        var stats = await hub.GetJsonAsync<HubStatsView>("/api/stats");
        Assert.Equal((30, 30), (stats.StoredResults, stats.DuplicatesIgnored));
        var page = await hub.GetJsonAsync<ResultPageView>("/api/results?limit=10&offset=10");
        Assert.Equal(30, page.Total);
        Assert.Equal(10, page.Items.Select(r => r.ResultId).Distinct().Count());
    }
}
