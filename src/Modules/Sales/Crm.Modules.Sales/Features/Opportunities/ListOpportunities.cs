using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>The query string of <c>GET /api/v1/sales/opportunities</c>.</summary>
/// <param name="Limit">Page size (default 50, at most 500).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt, updatedAt, amount or name; a leading - sorts descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matches.</param>
/// <param name="Q">Part of the name (case-insensitive).</param>
/// <param name="OwnerId">Only this owner's.</param>
/// <param name="TeamId">Only this team's.</param>
/// <param name="CustomerId">Only this customer's.</param>
/// <param name="PipelineId">Only this pipeline's.</param>
/// <param name="StageId">Only those in this stage.</param>
/// <param name="Status">open, won or lost.</param>
/// <param name="ExpectedCloseFrom">Expected close on or after this date.</param>
/// <param name="ExpectedCloseTo">Expected close on or before this date.</param>
/// <param name="AmountMin">Amount at least this.</param>
/// <param name="AmountMax">Amount at most this.</param>
/// <param name="PartnerId">Only those with this partner.</param>
/// <param name="ExternalId">Only the one with this external id (exact).</param>
internal sealed record ListOpportunitiesQuery(
    int? Limit,
    string? Cursor,
    string? Sort,
    bool? IncludeTotal,
    string? Q,
    Guid? OwnerId,
    Guid? TeamId,
    Guid? CustomerId,
    Guid? PipelineId,
    Guid? StageId,
    string? Status,
    DateOnly? ExpectedCloseFrom,
    DateOnly? ExpectedCloseTo,
    decimal? AmountMin,
    decimal? AmountMax,
    Guid? PartnerId,
    string? ExternalId)
{
    public ListOpportunitiesRequest ToRequest()
    {
        if (ExpectedCloseFrom > ExpectedCloseTo)
        {
            throw ValidationFailedException.For("expectedCloseTo", "expectedCloseTo must not be before expectedCloseFrom.");
        }

        if (AmountMin > AmountMax)
        {
            throw ValidationFailedException.For("amountMax", "amountMax must not be below amountMin.");
        }

        if (Q is { Length: > 200 })
        {
            throw ValidationFailedException.For("q", "q is at most 200 characters.");
        }

        var filter = new OpportunityFilter(
            Q, OwnerId, TeamId, CustomerId, PipelineId, StageId, QueryEnum.Parse<OpportunityStatus>(Status, "status"),
            ExpectedCloseFrom, ExpectedCloseTo, AmountMin, AmountMax, PartnerId, ExternalId);
        return new ListOpportunitiesRequest(new PageRequest(Limit, Cursor, IncludeTotal ?? false), Sort, filter);
    }
}

internal sealed record OpportunityFilter(
    string? Q,
    Guid? OwnerId,
    Guid? TeamId,
    Guid? CustomerId,
    Guid? PipelineId,
    Guid? StageId,
    OpportunityStatus? Status,
    DateOnly? ExpectedCloseFrom,
    DateOnly? ExpectedCloseTo,
    decimal? AmountMin,
    decimal? AmountMax,
    Guid? PartnerId,
    string? ExternalId = null);

internal sealed record ListOpportunitiesRequest(PageRequest Page, string? Sort, OpportunityFilter Filter) : IRequest<Page<OpportunityResponse>>;

internal sealed class ListOpportunitiesHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListOpportunitiesRequest, Page<OpportunityResponse>>
{
    public static readonly SortDefinition<Opportunity, OpportunityResponse> Sort = new SortDefinition<Opportunity, OpportunityResponse>(o => o.Id, o => o.Id, "-createdAt")
        .Add("createdAt", o => o.CreatedAt, o => o.CreatedAt)
        .Add("updatedAt", o => o.UpdatedAt, o => o.UpdatedAt)
        .Add("amount", o => o.Amount, o => o.Amount)
        .Add("name", o => o.Name, o => o.Name);

    public async Task<Page<OpportunityResponse>> Handle(ListOpportunitiesRequest request, CancellationToken cancellationToken)
    {
        var order = Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var query = Apply(db.Opportunities.AsNoTracking().Where(scope.Filter<Opportunity>(o => o.OwnerId)), request.Filter);
        return await query.ToPageAsync(o => OpportunityResponse.From(o), order, request.Page, cancellationToken);
    }

    internal static IQueryable<Opportunity> Apply(IQueryable<Opportunity> query, OpportunityFilter f)
    {
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var pattern = LikePattern.Contains(f.Q.Trim());
            query = query.Where(o => EF.Functions.ILike(o.Name, pattern, LikePattern.Escape));
        }

        if (f.OwnerId is { } owner)
        {
            query = query.Where(o => o.OwnerId == owner);
        }

        if (f.TeamId is { } team)
        {
            query = query.Where(o => o.TeamId == team);
        }

        if (f.CustomerId is { } customer)
        {
            query = query.Where(o => o.CustomerId == customer);
        }

        if (f.PipelineId is { } pipeline)
        {
            query = query.Where(o => o.PipelineId == pipeline);
        }

        if (f.StageId is { } stage)
        {
            query = query.Where(o => o.StageId == stage);
        }

        if (f.Status is { } status)
        {
            query = query.Where(o => o.Status == status);
        }

        if (f.ExpectedCloseFrom is { } closeFrom)
        {
            query = query.Where(o => o.ExpectedCloseDate >= closeFrom);
        }

        if (f.ExpectedCloseTo is { } closeTo)
        {
            query = query.Where(o => o.ExpectedCloseDate <= closeTo);
        }

        if (f.AmountMin is { } min)
        {
            query = query.Where(o => o.Amount >= min);
        }

        if (f.AmountMax is { } max)
        {
            query = query.Where(o => o.Amount <= max);
        }

        if (f.PartnerId is { } partner)
        {
            query = query.Where(o => o.PartnerId == partner);
        }

        if (!string.IsNullOrWhiteSpace(f.ExternalId))
        {
            var externalId = f.ExternalId.Trim();
            query = query.Where(o => o.ExternalId == externalId);
        }

        return query;
    }
}
