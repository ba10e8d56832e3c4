using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>One move of an opportunity between stages.</summary>
/// <param name="FromStageId">The stage it left.</param>
/// <param name="FromStageCode">That stage's code.</param>
/// <param name="ToStageId">The stage it entered.</param>
/// <param name="ToStageCode">That stage's code.</param>
/// <param name="FromStageEnteredAt">When it had entered the stage it left.</param>
/// <param name="ChangedAt">When it moved.</param>
/// <param name="ChangedBy">The user who moved it (null for API keys and background work).</param>
internal sealed record OpportunityStageChangeResponse(
    Guid FromStageId, string FromStageCode, Guid ToStageId, string ToStageCode, DateTimeOffset FromStageEnteredAt, DateTimeOffset ChangedAt, Guid? ChangedBy);

internal sealed record GetOpportunityHistoryRequest(Guid Id) : IRequest<IReadOnlyList<OpportunityStageChangeResponse>>;

internal sealed class GetOpportunityHistoryHandler(SalesDbContext db, IAccessScopeProvider access)
    : IRequestHandler<GetOpportunityHistoryRequest, IReadOnlyList<OpportunityStageChangeResponse>>
{
    public async Task<IReadOnlyList<OpportunityStageChangeResponse>> Handle(GetOpportunityHistoryRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities.AsNoTracking(), access, request.Id, cancellationToken);

        // Oldest first, one query joined to the stage codes; the (opportunity_id, changed_at) index serves it.
        return await (
                from change in db.OpportunityStageChanges
                where change.OpportunityId == opportunity.Id
                join fromStage in db.PipelineStages on change.FromStageId equals fromStage.Id
                join toStage in db.PipelineStages on change.ToStageId equals toStage.Id
                orderby change.ChangedAt, change.Id
                select new OpportunityStageChangeResponse(change.FromStageId, fromStage.Code, change.ToStageId, toStage.Code, change.FromStageEnteredAt, change.ChangedAt, change.ChangedBy))
            .ToListAsync(cancellationToken);
    }
}
