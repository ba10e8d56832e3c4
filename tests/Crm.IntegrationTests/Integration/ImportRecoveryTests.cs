using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using Npgsql;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Integration;

/// <summary>
/// Chunking, cancellation and recovery, on a host whose worker does not run by itself and whose chunks are two rows,
/// so each test can stop a job between chunks the way a crash or a restart would.
/// </summary>
internal sealed class ImportRecoveryTests : IntegrationTest
{
    private static CrmApiFactory _host = null!;
    private TestUser _rep = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = HostWithoutWorker(2);

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [SetUp]
    public async Task SignInAsync()
    {
        _rep = await TestUsers.CreateAsync(_host, Roles.SalesRep);
        _client = _host.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeClient2() => _client.Dispose();

    private static string Rows(int count) =>
        "kind,name,externalId\n" + string.Concat(Enumerable.Range(1, count).Select(i => $"organization,公司{i},R-{i}\n"));

    private static Task<bool> RunNextAsync() => RunNextJobAsync(_host);

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task Duplicates_are_found_across_chunks()
    {
        var report = await ImportCsvAsync(_client, "kind,name,externalId\norganization,甲,D-1\norganization,乙,D-2\norganization,丙,D-3\norganization,丁,D-1\n");

        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((3L, 1L)));
            Assert.That(report.Errors.Single().Message, Does.Contain("Duplicate of row 2"));
        });
    }

    [Test]
    public async Task A_dry_run_finds_duplicates_across_chunks_and_changes_nothing()
    {
        var report = await ImportCsvAsync(_client, "kind,name,externalId\norganization,甲,D-1\norganization,乙,D-2\norganization,丙,D-3\norganization,丁,D-1\n", "dryRun=true");

        Assert.Multiple(async () =>
        {
            Assert.That((report.DryRun, report.Created, report.Rejected), Is.EqualTo((true, 3L, 1L)));
            Assert.That(report.Errors.Single().Message, Is.EqualTo("Duplicate of row 2 in this file (externalId 'D-1')."));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0), "the claims are deleted when the job ends");
        });
    }

    [Test]
    public async Task A_finished_job_leaves_no_key_claims_behind()
    {
        var report = await ImportCsvAsync(_client, "kind,name,externalId,phones\norganization,甲,D-1,13800000001\norganization,乙,D-2,13800000002\norganization,丙,D-3,13800000003\n");
        var job = await StartAsync(_client, "customers", Csv(Rows(5)));
        Assert.That(await RunNextAsync(), Is.True);

        Assert.Multiple(async () =>
        {
            Assert.That(report.Created, Is.EqualTo(3));
            Assert.That((await GetJobAsync(_client, job.Id)).Created, Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task A_job_resumed_after_a_crash_still_rejects_a_duplicate_of_a_key_claimed_before_the_crash()
    {
        // R-1 (row 2) is claimed by the first chunk; its duplicate (row 5) is in the second chunk, which the crash rolls back.
        var job = await StartAsync(_client, "customers", Csv("kind,name,externalId\norganization,甲,R-1\norganization,乙,R-2\norganization,丙,R-3\norganization,丁,R-1\norganization,戊,R-5\n"));
        await ExecuteAsync("""
            CREATE OR REPLACE FUNCTION integration.crash_in_second_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.rows_processed >= 4 THEN RAISE EXCEPTION 'the instance died'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER crash_in_second_chunk BEFORE UPDATE OF rows_processed ON integration.import_jobs
                FOR EACH ROW EXECUTE FUNCTION integration.crash_in_second_chunk();
            """);
        try
        {
            Assert.CatchAsync(RunNextAsync);
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER crash_in_second_chunk ON integration.import_jobs; DROP FUNCTION integration.crash_in_second_chunk();");
        }

        Assert.That(await CountAsync($"SELECT count(*) FROM integration.import_key_claims WHERE job_id = '{job.Id}'"), Is.GreaterThan(0), "the first chunk's claims committed with it");
        await ExecuteAsync($"UPDATE integration.import_jobs SET heartbeat_at = '2026-11-23T07:00:00Z' WHERE id = '{job.Id}'");
        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_client, job.Id);
        var errors = await _client.GetStringAsync($"/api/v1/imports/{job.Id}/errors?format=csv");
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 5L, 4L, 1L)));
            Assert.That(errors, Does.Contain("\n5,externalId,Duplicate of row 2 in this file (externalId 'R-1')."));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(4));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task A_job_interrupted_after_committed_chunks_resumes_after_them_without_duplicates()
    {
        var job = await StartAsync(_client, "customers", Csv(Rows(6)));
        // The crash: the first chunk (rows) committed with its progress, then the instance died.
        await ImportCsvAsync(_client, Rows(2));
        await ExecuteAsync($"""
            UPDATE integration.import_jobs SET status = 'Running', rows_processed = 2, created = 2,
                   started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z'
             WHERE id = '{job.Id}'
            """);

        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_client, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 6L, 6L, 0L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(6));
        });
        Assert.That(await RunNextAsync(), Is.False);
    }

    [Test]
    public async Task A_synchronous_import_cut_off_by_a_restart_is_marked_failed_and_a_re_run_completes_it()
    {
        await ImportCsvAsync(_client, Rows(2));
        await ExecuteAsync("""
            UPDATE integration.import_jobs SET status = 'Running', finished_at = NULL, heartbeat_at = '2026-11-23T07:00:00Z'
            """);

        // What its committed chunks had claimed when the instance died.
        await ExecuteAsync("INSERT INTO integration.import_key_claims (job_id, key_hash, \"row\") SELECT id, 42, 2 FROM integration.import_jobs");

        Assert.That(await RunNextAsync(), Is.True);
        Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0), "the failed job's claims are deleted");
        var rerun = await ImportCsvAsync(_client, Rows(4));

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs WHERE status = 'Failed' AND error LIKE '%interrupted%'"), Is.EqualTo(1));
            Assert.That((rerun.Unchanged, rerun.Created), Is.EqualTo((2L, 2L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Deleting_a_queued_job_cancels_it_and_deleting_a_running_one_stops_it_after_its_current_chunk()
    {
        var queued = await StartAsync(_client, "customers", Csv(Rows(4)));
        var cancelled = await ReadAsync<ImportJobResponse>(await _client.DeleteAsync($"/api/v1/imports/{queued.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(ImportJobStatus.Cancelled));
            Assert.That(Directory.GetFiles(Path.Combine(Path.GetTempPath(), "crm-imports-tests"), $"{queued.Id:N}*"), Is.Empty);
        });
        Assert.That(await RunNextAsync(), Is.False);

        var running = await StartAsync(_client, "customers", Csv(Rows(6)));
        await ExecuteAsync($"UPDATE integration.import_jobs SET status = 'Running', heartbeat_at = '2026-11-23T07:00:00Z' WHERE id = '{running.Id}'");
        var stopping = await ReadAsync<ImportJobResponse>(await _client.DeleteAsync($"/api/v1/imports/{running.Id}"), HttpStatusCode.OK);
        Assert.That((stopping.Status, stopping.CancelRequested), Is.EqualTo((ImportJobStatus.Running, true)));

        Assert.That(await RunNextAsync(), Is.True);
        var stopped = await GetJobAsync(_client, running.Id);
        Assert.Multiple(async () =>
        {
            Assert.That(stopped.Status, Is.EqualTo(ImportJobStatus.Cancelled));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task A_cancel_requested_while_a_job_runs_stops_it_at_the_next_chunk_boundary_keeping_the_committed_chunks()
    {
        var job = await StartAsync(_client, "customers", Csv(Rows(6)));
        // The cancel arrives while the first chunk is being written: the flag is read back in the chunk's own transaction.
        await ExecuteAsync("""
            CREATE OR REPLACE FUNCTION integration.cancel_after_first_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.rows_processed >= 2 THEN NEW.cancel_requested := true; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER cancel_after_first_chunk BEFORE UPDATE OF rows_processed ON integration.import_jobs
                FOR EACH ROW EXECUTE FUNCTION integration.cancel_after_first_chunk();
            """);
        try
        {
            Assert.That(await RunNextAsync(), Is.True);
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER cancel_after_first_chunk ON integration.import_jobs; DROP FUNCTION integration.cancel_after_first_chunk();");
        }

        var stopped = await GetJobAsync(_client, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((stopped.Status, stopped.RowsProcessed, stopped.Created), Is.EqualTo((ImportJobStatus.Cancelled, 2L, 2L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0), "a cancelled job's claims are deleted");
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_running_job_whose_caller_loses_the_right_to_import_stops_as_failed_before_its_next_chunk_keeping_the_committed_ones(bool deactivate)
    {
        using var admin = _host.ClientFor(await TestUsers.CreateAsync(_host, Roles.Admin));
        await ImportCsvAsync(_client, Rows(1));
        var job = await StartAsync(_client, "customers", Csv(Rows(6)), "fileName=big.csv");

        // The first chunk waits on R-1, held by another transaction; meanwhile an administrator takes the right away.
        await WhileHeldConcurrentlyAsync(
            "UPDATE customers.customers SET updated_at = updated_at WHERE external_id = 'R-1'",
            "%FROM customers.customers WHERE external_id = ANY%",
            RunNextAsync,
            async () =>
            {
                var response = deactivate
                    ? await admin.PostAsync($"/api/v1/users/{_rep.Id}/deactivate", null)
                    : await admin.PatchAsync($"/api/v1/users/{_rep.Id}", JsonBody(new { roles = new[] { Roles.ServiceAgent } }));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            });

        var stopped = await GetJobAsync(admin, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((stopped.Status, stopped.RowsProcessed, stopped.Created, stopped.Unchanged), Is.EqualTo((ImportJobStatus.Failed, 2L, 1L, 1L)));
            Assert.That(stopped.Error, Does.Contain(deactivate ? "its caller has been deactivated" : "no longer has the imports:write permission")
                .And.Contain("Rows committed before stay"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(2), "R-1 and R-2, the committed chunk; not R-3 to R-6");
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_key_claims"), Is.EqualTo(0), "a failed job's claims are deleted");
            Assert.That(await CountAsync($"""
                SELECT count(*) FROM platform.audit_entries
                 WHERE entity_type = 'import' AND changes->'jobId'->>'new' = '{job.Id}' AND changes->'status'->>'new' = 'Failed' AND changes->'error'->>'new' LIKE 'The job stopped%'
                """), Is.EqualTo(1));
        });
        Assert.That(await RunNextAsync(), Is.False, "the failed job is not picked up again");
    }
}
