using System.Security.Claims;
using System.Text.Json;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Data;
using Crm.Modules.Integration.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>
/// Runs asynchronous imports: claims queued jobs, and running jobs whose heartbeat stopped (the instance running
/// them crashed or restarted), one at a time with <c>FOR UPDATE SKIP LOCKED</c>, so several instances share the queue.
/// </summary>
internal sealed class ImportWorker(IServiceScopeFactory scopes, ImportSignal signal, IOptions<ImportOptions> options, ILogger<ImportWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                bool ran;
                do
                {
                    await using var scope = scopes.CreateAsyncScope();
                    ran = await scope.ServiceProvider.GetRequiredService<ImportJobProcessor>().RunNextAsync(stoppingToken);
                }
                while (ran && !stoppingToken.IsCancellationRequested);

                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The import worker failed; it retries after {Interval} or when a job is queued.", options.Value.PollInterval);
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
    }
}

/// <summary>Claims and runs one job (scoped: one per job, so the caller's visibility is resolved for that job).</summary>
internal sealed class ImportJobProcessor(
    IntegrationDbContext db, ImportRunner runner, IHttpContextAccessor http, IServiceProvider services, IUserDirectory users, IAuthorizationService authorization,
    IOptions<ImportOptions> options, TimeProvider time, ILogger<ImportJobProcessor> logger)
{
    private const string JobAuthentication = "import-job";

    /// <summary>Runs the oldest queued (or interrupted) job; false when there was none.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        var now = time.UtcNow();
        var stale = now - options.Value.StaleAfter;
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE integration.import_jobs
               SET status = 'Running', started_at = coalesce(started_at, {now}), heartbeat_at = {now}
             WHERE id = (SELECT id FROM integration.import_jobs
                          WHERE status = 'Queued' OR (status = 'Running' AND heartbeat_at < {stale})
                          ORDER BY created_at
                          LIMIT 1
                          FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        if (claimed is not [var id])
        {
            return false;
        }

        var job = await db.ImportJobs.SingleAsync(j => j.Id == id, ct);
        if (job.SpoolPath is not { } spool || !File.Exists(spool))
        {
            // A synchronous import streams from its request: when its instance dies, there is nothing to resume
            // from. Its committed chunks stay; re-sending the file (upsert) completes it without duplicates.
            job.Finish(ImportJobStatus.Failed, "The import was interrupted (the API restarted) and its file was not spooled; committed rows are kept, send the file again to finish it.", time.UtcNow());
            await db.SaveChangesAsync(ct);
            await db.ImportStagedRows.Where(r => r.JobId == job.Id).ExecuteDeleteAsync(ct);
            await db.ImportKeyClaims.Where(c => c.JobId == job.Id).ExecuteDeleteAsync(ct);
            return true;
        }

        if (job.CancelRequested)
        {
            job.Finish(ImportJobStatus.Cancelled, null, time.UtcNow());
            await db.SaveChangesAsync(ct);
            File.Delete(spool);
            return true;
        }

        var claims = JsonSerializer.Deserialize<List<string[]>>(job.Caller) ?? [];
        var caller = new ClaimsPrincipal(new ClaimsIdentity(claims.Select(c => new Claim(c[0], c[1])), JobAuthentication));
        http.HttpContext = new DefaultHttpContext { User = caller, RequestServices = services };
        try
        {
            await using var body = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            var reader = ImportFileReader.Open(job.ContentType, body, runner.Target(job.Entity).Schema);
            await reader.StartAsync(ct);
            var report = await runner.RunAsync(job.Id, reader, ct, token => RecheckCallerAsync(job, caller, token));
            logger.LogInformation("Import {JobId} finished: {Status}, {Rows} rows.", job.Id, report.Status, report.RowsProcessed);
        }
        catch (ProblemException ex)
        {
            job.Finish(ImportJobStatus.Failed, ex.Message, time.UtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            await db.ImportKeyClaims.Where(c => c.JobId == job.Id).ExecuteDeleteAsync(CancellationToken.None);
        }
        finally
        {
            http.HttpContext = null;
        }

        File.Delete(spool);
        return true;
    }

    /// <summary>
    /// Before each chunk, whether the job's caller may still run it, as they are now rather than at submit (ADR 0039, 0043):
    /// an active user (or an API key), holding <c>imports:write</c>, the entity's own permission and whatever its stored
    /// options need (orders' <c>overrideCredit</c>: <c>sales:manage</c>). One query for the user per chunk; the rest is read from
    /// the claims. A job whose caller was deactivated or lost one of them stops as failed before the chunk; chunks committed
    /// before stay, as on a cancel.
    /// </summary>
    private async Task RecheckCallerAsync(ImportJob job, ClaimsPrincipal submitted, CancellationToken ct)
    {
        var (caller, active) = await CurrentCallerAsync(submitted, ct);
        if (!active)
        {
            throw CallerLost(job, "its caller has been deactivated");
        }

        var target = runner.Target(job.Entity);
        foreach (var permission in new[] { Permissions.ImportsWrite, target.RequiredPermission }.OfType<string>())
        {
            if (!(await authorization.AuthorizeAsync(caller, PermissionAuthorization.PolicyPrefix + permission)).Succeeded)
            {
                throw CallerLost(job, $"its caller no longer has the {permission} permission");
            }
        }

        var stored = job.OptionValues();
        if (stored.Count == 0)
        {
            return;
        }

        try
        {
            await target.ValidateOptionsAsync(stored, caller, ct);
        }
        catch (ProblemException ex)
        {
            throw new ProblemException(ex.Status, ex.Type, ex.Title, $"The job's options are no longer allowed for its caller: {ex.Message} "
                + "Rows committed before stay; send the rest of the file again without the option, or have a caller who may use it send it.");
        }
    }

    private static ProblemException CallerLost(ImportJob job, string why) =>
        new(403, ProblemTypes.Forbidden, "Forbidden", $"The job stopped before its next chunk because {why}. Rows committed before stay; "
            + $"a caller who may import {job.Entity} can send the file again (matching makes the committed rows come back unchanged).");

    /// <summary>
    /// The submitted claims with a user's roles and team as they are now, and whether the user is still active (no roles once
    /// deactivated or deleted). An API key's scopes never change after it is created, so its claims are taken as submitted.
    /// </summary>
    private async Task<(ClaimsPrincipal Caller, bool Active)> CurrentCallerAsync(ClaimsPrincipal submitted, CancellationToken ct)
    {
        if (submitted.HasClaim(CrmClaimTypes.ActorKind, HttpCurrentActor.ApiKeyKind) || !Guid.TryParse(submitted.FindFirstValue(CrmClaimTypes.Subject), out var userId))
        {
            return (submitted, true);
        }

        var user = await users.FindByIdAsync(userId, ct);
        var claims = submitted.Claims.Where(c => c.Type is not (CrmClaimTypes.Role or CrmClaimTypes.Team)).Select(c => new Claim(c.Type, c.Value)).ToList();
        if (user is { Active: true })
        {
            claims.AddRange(user.Roles.Select(role => new Claim(CrmClaimTypes.Role, role)));
            if (user.TeamId is { } team)
            {
                claims.Add(new Claim(CrmClaimTypes.Team, team.ToString()));
            }
        }

        return (new ClaimsPrincipal(new ClaimsIdentity(claims, JobAuthentication)), user is { Active: true });
    }
}
