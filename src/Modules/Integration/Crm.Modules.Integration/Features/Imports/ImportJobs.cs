using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Data;
using Crm.Modules.Integration.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>A job is visible to the caller who started it and to callers who see every record (admins, integrations).</summary>
internal static class ImportJobAccess
{
    public static async Task<ImportJob> FindVisibleAsync(IQueryable<ImportJob> jobs, IAccessScopeProvider access, ICurrentActor actor, Guid id, CancellationToken ct)
    {
        var job = await jobs.SingleOrDefaultAsync(j => j.Id == id, ct);
        if (job is null)
        {
            throw new NotFoundException("Import", id);
        }

        var scope = await access.GetAsync(ct);
        return scope.SeesAll || (job.ActorId is { } owner && owner == actor.Id) ? job : throw new NotFoundException("Import", id);
    }
}

/// <summary>A job with the row version that becomes its ETag: the worker updates the row at every chunk, so it changes with progress.</summary>
internal sealed record VersionedImportJob(ImportJobResponse Job, uint Version);

internal sealed record GetImportJobRequest(Guid Id) : IRequest<VersionedImportJob>;

internal sealed class GetImportJobHandler(IntegrationDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<GetImportJobRequest, VersionedImportJob>
{
    public async Task<VersionedImportJob> Handle(GetImportJobRequest request, CancellationToken cancellationToken)
    {
        var job = await ImportJobAccess.FindVisibleAsync(db.ImportJobs.AsNoTracking(), access, actor, request.Id, cancellationToken);
        return new VersionedImportJob(ImportJobResponse.From(job, time.UtcNow()), job.Version);
    }
}

/// <summary>Cancels a queued job at once, or asks a running one to stop after its current chunk (committed chunks stay).</summary>
internal sealed record CancelImportJobRequest(Guid Id) : IRequest<ImportJobResponse>;

internal sealed class CancelImportJobHandler(IntegrationDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CancelImportJobRequest, ImportJobResponse>
{
    public async Task<ImportJobResponse> Handle(CancelImportJobRequest request, CancellationToken cancellationToken)
    {
        var job = await ImportJobAccess.FindVisibleAsync(db.ImportJobs, access, actor, request.Id, cancellationToken);
        if (job.IsFinished)
        {
            throw IntegrationProblems.ImportFinished(job.Id);
        }

        job.Cancel(time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        if (job.IsFinished && job.SpoolPath is { } spool)
        {
            File.Delete(spool);
        }

        return ImportJobResponse.From(job, time.UtcNow());
    }
}

/// <summary>Streams a job's rejected rows in file order, in keyset batches.</summary>
internal sealed class ImportErrorReader(IntegrationDbContext db, IAccessScopeProvider access, ICurrentActor actor)
{
    private const int BatchSize = 1000;

    public Task EnsureVisibleAsync(Guid jobId, CancellationToken ct) =>
        ImportJobAccess.FindVisibleAsync(db.ImportJobs.AsNoTracking(), access, actor, jobId, ct);

    public async IAsyncEnumerable<ImportErrorResponse> ReadAsync(Guid jobId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var after = 0L;
        while (true)
        {
            var batch = await db.ImportErrors.AsNoTracking()
                .Where(e => e.JobId == jobId && e.Id > after)
                .OrderBy(e => e.Id)
                .Take(BatchSize)
                .Select(e => new { e.Id, e.Row, e.ColumnName, e.Message })
                .ToListAsync(ct);
            foreach (var error in batch)
            {
                yield return new ImportErrorResponse(error.Row, error.ColumnName, error.Message);
            }

            if (batch.Count < BatchSize)
            {
                yield break;
            }

            after = batch[^1].Id;
        }
    }
}
