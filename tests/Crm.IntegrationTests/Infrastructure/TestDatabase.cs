using Npgsql;
using Testcontainers.PostgreSql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL server of this test run: the one named by <c>CRM_TEST_POSTGRES</c> (eng/test.sh starts
/// it from the installed binaries), else a Testcontainers PostgreSQL when Docker is available. Each run
/// creates its own UTF-8 databases on it and drops them at the end.
/// </summary>
internal static class TestDatabase
{
    private static PostgreSqlContainer? _container;
    private static string? _serverConnectionString;
    private static readonly List<string> Created = [];

    public static async Task<string> CreateAsync(string purpose, string ctype = "C.UTF-8")
    {
        var server = await ServerAsync();
        var name = $"crm_test_{purpose}_{Environment.ProcessId}_{Guid.NewGuid():N}"[..48].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE '{ctype}'", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (Created)
        {
            Created.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>A connection string to a server that does not listen: for start-up failure tests.</summary>
    public static string Unreachable => "Host=127.0.0.1;Port=1;Database=crm;Username=postgres;Timeout=2";

    public static async Task DropAllAsync()
    {
        if (_serverConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            foreach (var name in Created)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static async Task<string> ServerAsync()
    {
        if (_serverConnectionString is not null)
        {
            return _serverConnectionString;
        }

        var configured = Environment.GetEnvironmentVariable("CRM_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return _serverConnectionString = configured;
        }

        try
        {
            _container = new PostgreSqlBuilder("postgres:15")
                .WithEnvironment("POSTGRES_INITDB_ARGS", "--encoding=UTF8 --locale=C.UTF-8")
                .Build();
            await _container.StartAsync();
            return _serverConnectionString = new NpgsqlConnectionStringBuilder(_container.GetConnectionString()) { Database = "postgres" }.ConnectionString;
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                "No PostgreSQL for the integration tests: run them with eng/test.sh (starts one from the installed binaries), " +
                "set CRM_TEST_POSTGRES to a server connection string, or start a Docker engine for Testcontainers.", ex);
        }
    }
}
