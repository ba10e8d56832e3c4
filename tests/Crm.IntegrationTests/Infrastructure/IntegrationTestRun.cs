using Crm.IntegrationTests.Infrastructure;
using Npgsql;
using Respawn;
using Respawn.Graph;

namespace Crm.IntegrationTests;

/// <summary>
/// One database and one API host for the whole run; every test starts from the freshly migrated state: Respawn empties
/// every table and the rows the migrations seed (reference data such as the default sales pipeline) are put back.
/// </summary>
[SetUpFixture]
internal sealed class IntegrationTestRun
{
    private const string SeedSchema = "test_seed";

    private static Respawner? _respawner;
    private static string _restoreSeedSql = string.Empty;

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
        _restoreSeedSql = await SnapshotSeedDataAsync(connection);
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            TablesToIgnore = [new Table("__ef_migrations_history")],
            SchemasToExclude = [SeedSchema],
        });
    }

    public static async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await _respawner!.ResetAsync(connection);

        // A test may leave the shared clock between microseconds; PostgreSQL keeps whole microseconds, so every
        // test starts on one and values a test derives from the clock compare equal to what is stored.
        var subMicrosecond = Factory.Time.GetUtcNow().UtcTicks % TimeSpan.TicksPerMicrosecond;
        if (subMicrosecond != 0)
        {
            Factory.Time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond - subMicrosecond));
        }

        if (_restoreSeedSql.Length > 0)
        {
            await using var restore = new NpgsqlCommand(_restoreSeedSql, connection);
            await restore.ExecuteNonQueryAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Factory.DisposeAsync();
        await TestDatabase.DropAllAsync();
    }

    /// <summary>
    /// Copies every table that holds rows right after migration into <see cref="SeedSchema"/> and returns the SQL that
    /// puts them back. Foreign keys are not checked while restoring (replica mode), so table order does not matter.
    /// </summary>
    private static async Task<string> SnapshotSeedDataAsync(NpgsqlConnection connection)
    {
        var tables = new List<(string Schema, string Table)>();
        await using (var list = new NpgsqlCommand(
            """
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_name <> '__ef_migrations_history'
              AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var restore = new List<string>();
        await using (var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {SeedSchema}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        foreach (var (schema, table) in tables)
        {
            var source = $"\"{schema}\".\"{table}\"";
            await using var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {source})", connection);
            if (!(bool)(await any.ExecuteScalarAsync())!)
            {
                continue;
            }

            var copy = $"{SeedSchema}.\"{schema}__{table}\"";
            var columns = await InsertableColumnsAsync(connection, schema, table);
            await using var snapshot = new NpgsqlCommand($"CREATE TABLE {copy} AS SELECT {columns} FROM {source}", connection);
            await snapshot.ExecuteNonQueryAsync();
            restore.Add($"INSERT INTO {source} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM {copy};");
        }

        return restore.Count == 0
            ? string.Empty
            : $"SET session_replication_role = replica; {string.Join(' ', restore)} SET session_replication_role = DEFAULT;";
    }

    private static async Task<string> InsertableColumnsAsync(NpgsqlConnection connection, string schema, string table)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
            FROM information_schema.columns
            WHERE table_schema = @schema AND table_name = @table AND is_generated = 'NEVER'
            """, connection);
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("table", table);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
