using System.Diagnostics;
using Crm.IntegrationTests.Infrastructure;
using Npgsql;

namespace Crm.IntegrationTests.Platform;

/// <summary>The production deploy step, run as a real process: <c>Crm.Api migrate</c>.</summary>
internal sealed class MigrateCommandTests
{
    private static async Task<(int ExitCode, string Output)> RunApiAsync(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestContext.CurrentContext.TestDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "Crm.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Crm"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Test]
    public async Task The_migrate_command_applies_every_migration_and_exits_zero()
    {
        var database = await TestDatabase.CreateAsync("cli");

        var (exitCode, output) = await RunApiAsync(database, "migrate");

        Assert.That(exitCode, Is.Zero, output);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM platform.__ef_migrations_history", connection);
        Assert.That(await command.ExecuteScalarAsync(), Is.GreaterThan(0L));
    }

    [Test]
    public async Task Without_a_connection_string_the_process_exits_non_zero_and_says_what_to_set()
    {
        var (exitCode, output) = await RunApiAsync(string.Empty, "migrate");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("ConnectionStrings:Crm is not set"));
    }
}
