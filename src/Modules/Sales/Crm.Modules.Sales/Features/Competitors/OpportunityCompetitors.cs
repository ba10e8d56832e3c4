using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Competitors;

/// <summary>Record that an opportunity runs against a competitor (idempotent).</summary>
internal sealed record LinkOpportunityCompetitorRequest(Guid OpportunityId, Guid CompetitorId) : IRequest<Unit>;

/// <summary>Remove a competitor from an opportunity.</summary>
internal sealed record UnlinkOpportunityCompetitorRequest(Guid OpportunityId, Guid CompetitorId) : IRequest<Unit>;

/// <summary>The competitors an opportunity runs against, by name.</summary>
internal sealed record ListOpportunityCompetitorsRequest(Guid OpportunityId) : IRequest<IReadOnlyList<CompetitorResponse>>;

internal sealed class OpportunityCompetitorHandlers(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<LinkOpportunityCompetitorRequest, Unit>,
        IRequestHandler<UnlinkOpportunityCompetitorRequest, Unit>,
        IRequestHandler<ListOpportunityCompetitorsRequest, IReadOnlyList<CompetitorResponse>>
{
    public async Task<Unit> Handle(LinkOpportunityCompetitorRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpenOpportunityAsync(request.OpportunityId, cancellationToken);
        if (!await db.Competitors.AnyAsync(c => c.Id == request.CompetitorId, cancellationToken))
        {
            throw new NotFoundException("Competitor", request.CompetitorId);
        }

        // ON CONFLICT keeps a repeated or concurrent PUT a no-op instead of a unique violation.
        var scope = await access.GetAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO sales.opportunity_competitors (opportunity_id, competitor_id, added_at, added_by)
            VALUES ({opportunity.Id}, {request.CompetitorId}, {time.UtcNow()}, {scope.UserId})
            ON CONFLICT (opportunity_id, competitor_id) DO NOTHING
            """,
            cancellationToken);
        return Unit.Value;
    }

    public async Task<Unit> Handle(UnlinkOpportunityCompetitorRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpenOpportunityAsync(request.OpportunityId, cancellationToken);
        var removed = await db.OpportunityCompetitors
            .Where(l => l.OpportunityId == opportunity.Id && l.CompetitorId == request.CompetitorId)
            .ExecuteDeleteAsync(cancellationToken);
        return removed > 0 ? Unit.Value : throw new NotFoundException("Competitor", request.CompetitorId);
    }

    public async Task<IReadOnlyList<CompetitorResponse>> Handle(ListOpportunityCompetitorsRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities.AsNoTracking(), access, request.OpportunityId, cancellationToken);
        return await db.Competitors.AsNoTracking()
            .Where(c => db.OpportunityCompetitors.Any(l => l.OpportunityId == opportunity.Id && l.CompetitorId == c.Id))
            .OrderBy(c => c.Name)
            .Select(CompetitorProjection.ToResponse)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The visible opportunity (404 otherwise), open: a closed one's competitors are part of its outcome (409).</summary>
    private async Task<Opportunity> OpenOpportunityAsync(Guid id, CancellationToken ct)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities.AsNoTracking(), access, id, ct);
        return opportunity.IsOpen ? opportunity : throw OpportunityProblems.Closed(opportunity);
    }
}
