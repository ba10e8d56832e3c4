using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Sales.Features.Opportunities.Import.OpportunityImportSchema;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>
/// Streams the opportunities the caller sees, filtered like the list, in keyset batches, naming customers by code,
/// owners by email, pipelines by name and stages by code (what the import reads), so the file re-imports unchanged.
/// </summary>
internal sealed class OpportunityExport(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICustomerDirectory customers)
{
    public static readonly string[] Columns =
    [
        S.ExternalId, S.Name, S.CustomerCode, S.Pipeline, S.Stage, S.Amount, S.Currency, S.ExpectedCloseDate, S.OwnerEmail, S.Source,
        S.Description, "id", "status", "probability", "customerId", "ownerId", "teamId", "closedAt", "lostReason", "createdAt", "updatedAt",
    ];

    public async Task<IQueryable<Opportunity>> QueryAsync(OpportunityFilter filter, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return ListOpportunitiesHandler.Apply(db.Opportunities.AsNoTracking().Where(scope.Filter<Opportunity>(o => o.OwnerId)), filter);
    }

    public async Task WriteAsync(IQueryable<Opportunity> opportunities, ExportWriter writer, CancellationToken ct)
    {
        var pipelines = await db.Pipelines.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var stages = await db.PipelineStages.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Code, ct);
        await KeysetExport.WriteAsync(
            writer,
            after => opportunities.Where(o => o.Id > after).OrderBy(o => o.Id),
            o => o.Id,
            async (batch, token) =>
            {
                var names = await SalesImportReferences.ExportNamesAsync(
                    customers, users, batch.Select(o => o.CustomerId).ToList(), batch.Select(o => o.OwnerId), token);
                return o =>
                [
                    o.ExternalId, o.Name, names.CodeOf(o.CustomerId), pipelines[o.PipelineId],
                    stages[o.StageId], o.Amount, o.Currency, o.ExpectedCloseDate,
                    names.EmailOf(o.OwnerId), o.Source, o.Description, o.Id,
                    o.Status.ToString().ToLowerInvariant(), o.Probability, o.CustomerId, o.OwnerId, o.TeamId, o.ClosedAt, o.LostReason, o.CreatedAt,
                    o.UpdatedAt,
                ];
            },
            ct);
    }
}
