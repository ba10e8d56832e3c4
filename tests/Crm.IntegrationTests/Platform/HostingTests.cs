using System.Net;
using System.Text.Json;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Trace;

namespace Crm.IntegrationTests.Platform;

/// <summary>Start-up, readiness and configuration: each test starts its own host, some on their own database.</summary>
internal sealed class HostingTests : IntegrationTest
{
    private static Exception StartFailure(CrmApiFactory factory)
    {
        var exception = Assert.Catch(() => _ = factory.Server)!;
        factory.Dispose();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StartupException)
            {
                return current;
            }
        }

        return exception;
    }

    [Test]
    public async Task Liveness_and_readiness_are_200_when_the_database_is_migrated()
    {
        var live = await Client.GetAsync("/health/live");
        var ready = await Client.GetAsync("/health/ready");

        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task Readiness_is_503_while_migrations_are_pending()
    {
        var database = await TestDatabase.CreateAsync("pending");
        await using var factory = new CrmApiFactory(database, settings: new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        using var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        Assert.Multiple(async () =>
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("InitialPlatform").And.Contain("migrate"));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Api_sessions_run_without_jit_compilation()
    {
        await using var connection = await Factory.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('jit')", connection);

        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo("off"));
    }

    [Test]
    public void Start_up_fails_with_a_clear_message_without_a_connection_string()
    {
        var failure = StartFailure(new CrmApiFactory(string.Empty));
        Assert.That(failure.Message, Does.Contain("ConnectionStrings:Crm is not set").And.Contain("ConnectionStrings__Crm"));
    }

    [Test]
    public void Start_up_fails_with_a_clear_message_when_the_database_is_unreachable()
    {
        var failure = StartFailure(new CrmApiFactory(
            TestDatabase.Unreachable, settings: new Dictionary<string, string?> { ["Database:ConnectTimeout"] = "00:00:01" }));
        Assert.That(failure.Message, Does.Contain("Cannot connect to PostgreSQL at 127.0.0.1:1"));
    }

    [Test]
    public async Task Start_up_refuses_a_database_whose_ctype_is_not_utf8()
    {
        var database = await TestDatabase.CreateAsync("ctype", ctype: "C");
        var failure = StartFailure(new CrmApiFactory(database));
        Assert.That(failure.Message, Does.Contain("LC_CTYPE 'C'").And.Contain("UTF-8"));
    }

    [Test]
    public async Task Migrations_create_module_schemas_with_their_own_history_and_pg_trgm()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.__ef_migrations_history"), Is.GreaterThan(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.__ef_migrations_history"), Is.GreaterThan(0));
            Assert.That(await CountAsync("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'sample_notes' AND table_name = 'notes' AND column_name = 'created_at' AND data_type = 'timestamp with time zone'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Instances_starting_together_migrate_once_without_errors()
    {
        var database = await TestDatabase.CreateAsync("race");
        await using var factory = new CrmApiFactory(database, settings: new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        var migrators = Enumerable.Range(0, 3)
            .Select(_ => ActivatorUtilities.CreateInstance<DatabaseMigrator>(factory.Services))
            .ToList();

        await Task.WhenAll(migrators.Select(m => m.MigrateAsync(CancellationToken.None)));

        Assert.That(await migrators[0].GetPendingMigrationsAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Demo_data_is_seeded_only_when_asked_for_and_only_once()
    {
        var database = await TestDatabase.CreateAsync("demo");
        async Task<object?> StartAndCountAsync(string seed)
        {
            await using (var factory = new CrmApiFactory(database, settings: new Dictionary<string, string?> { ["Demo:Seed"] = seed }))
            {
                _ = factory.Server;
            }

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM sample_notes.notes", connection);
            return await command.ExecuteScalarAsync();
        }

        Assert.That(await StartAndCountAsync("false"), Is.EqualTo(0L));
        Assert.That(await StartAndCountAsync("true"), Is.EqualTo(2L));
        Assert.That(await StartAndCountAsync("true"), Is.EqualTo(2L));
    }

    [Test]
    public async Task OpenTelemetry_is_off_by_default_and_wired_when_an_exporter_is_configured()
    {
        await using var withConsole = new CrmApiFactory(
            IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?> { ["Telemetry:Exporter"] = "console" });

        Assert.Multiple(() =>
        {
            Assert.That(Factory.Services.GetService<TracerProvider>(), Is.Null);
            Assert.That(withConsole.Services.GetService<TracerProvider>(), Is.Not.Null);
        });
    }

    [Test]
    public void An_unknown_telemetry_exporter_stops_start_up()
    {
        var failure = StartFailure(new CrmApiFactory(
            IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?> { ["Telemetry:Exporter"] = "zipkin" }));
        Assert.That(failure.Message, Does.Contain("Telemetry:Exporter"));
    }
}
