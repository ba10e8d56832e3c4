using Crm.IntegrationTests.Infrastructure;
using Npgsql;
using Respawn;
using Respawn.Graph;

namespace Crm.IntegrationTests;

/// <summary>One database and one API host for the whole run; every test starts from empty tables (Respawn).</summary>
[SetUpFixture]
internal sealed class IntegrationTestRun
{
    private static Respawner? _respawner;

    public static CrmApiFactory Factory { get; private set; } = null!;

    public static string ConnectionString { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ConnectionString = await TestDatabase.CreateAsync("main");
        Factory = new CrmApiFactory(ConnectionString);
        _ = Factory.Server;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            TablesToIgnore = [new Table("__ef_migrations_history")],
        });
    }

    public static async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await _respawner!.ResetAsync(connection);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Factory.DisposeAsync();
        await TestDatabase.DropAllAsync();
    }
}
