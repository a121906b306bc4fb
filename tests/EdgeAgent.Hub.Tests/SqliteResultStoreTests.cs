using EdgeAgent.Hub.Storage;

namespace EdgeAgent.Hub.Tests;

public sealed class SqliteResultStoreTests : ResultStoreContract, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-hub-sqlite-");

    protected override Task<IResultStore> CreateStoreAsync() =>
        Task.FromResult<IResultStore>(new SqliteResultStore(Path.Combine(_folder.FullName, "hub.db")));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
