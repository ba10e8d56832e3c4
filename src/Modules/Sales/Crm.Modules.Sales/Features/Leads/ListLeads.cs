using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>The filters of <c>GET /api/v1/sales/leads</c>, parsed.</summary>
internal sealed record LeadFilter(
    string? Q = null,
    LeadStatus? Status = null,
    Guid? OwnerId = null,
    bool? Unassigned = null,
    string? Source = null,
    string? Province = null,
    string? Industry = null,
    Guid? PartnerId = null,
    Guid? CampaignId = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null);

/// <summary>A page of leads; <c>TeamId</c> narrows to the owners of a team subtree (resolved by the handler, not a SQL join).</summary>
internal sealed record ListLeadsRequest(PageRequest Page, string? Sort, LeadFilter Filter, Guid? TeamId = null) : IRequest<Page<LeadResponse>>;

internal sealed class ListLeadsHandler(SalesDbContext db, IAccessScopeProvider access, ITeamDirectory teams) : IRequestHandler<ListLeadsRequest, Page<LeadResponse>>
{
    public async Task<Page<LeadResponse>> Handle(ListLeadsRequest request, CancellationToken cancellationToken)
    {
        var order = LeadProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var leads = await LeadQuery.VisibleAsync(db.Leads.AsNoTracking(), scope, teams, request.Filter, request.TeamId, cancellationToken);
        return await leads.ToPageAsync(LeadProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>The list's WHERE clause, shared by the list and the bulk reassign by filter.</summary>
internal static class LeadQuery
{
    public const int MinQueryLength = 2;

    /// <summary>
    /// The leads owned by the current members of <paramref name="teamId"/> and its sub-teams (one recursive Identity query,
    /// then <c>owner_id = ANY(@members)</c>); null when the team does not exist or the caller may not report on it.
    /// Members are read now, so a rep who moved takes their leads along; unassigned leads belong to no team.
    /// </summary>
    public static async Task<IQueryable<Lead>?> OfTeamAsync(IQueryable<Lead> leads, Guid teamId, AccessScope scope, ITeamDirectory teams, CancellationToken ct)
    {
        var subtree = scope.CanSeeTeam(teamId) ? await teams.GetSubtreeAsync(teamId, ct) : null;
        if (subtree is null)
        {
            return null;
        }

        var members = subtree.Members.Select(m => (Guid?)m.UserId).ToList();
        return leads.Where(l => members.Contains(l.OwnerId));
    }

    /// <summary>The leads the caller sees (unassigned ones included) that match the list's filters, as the list and the export read them.</summary>
    public static async Task<IQueryable<Lead>> VisibleAsync(
        IQueryable<Lead> all, AccessScope scope, ITeamDirectory teams, LeadFilter filter, Guid? teamId, CancellationToken ct)
    {
        var leads = Apply(all.Where(scope.Filter<Lead>(l => l.OwnerId, includeUnowned: true)), filter);
        return teamId is { } team ? await OfTeamAsync(leads, team, scope, teams, ct) ?? throw new NotFoundException("Team", team) : leads;
    }

    public static IQueryable<Lead> Apply(IQueryable<Lead> leads, LeadFilter filter)
    {
        if (filter.Q is { } q && !string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim().ToLowerInvariant();
            if (term.Length < MinQueryLength)
            {
                throw ValidationFailedException.For("q", $"q needs at least {MinQueryLength} characters.");
            }

            // A phone typed with dashes or spaces is stored as digits: search the digits when that is all it is.
            if (term.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')') && term.Any(char.IsAsciiDigit))
            {
                term = Lead.NormalizePhone(term).TrimStart('+');
            }

            // LIKE '%term%' on the trigram GIN index of search_text.
            var pattern = LikePattern.Contains(term);
            leads = leads.Where(l => EF.Functions.Like(l.SearchText, pattern, LikePattern.Escape));
        }

        if (filter.Status is { } status)
        {
            leads = leads.Where(l => l.Status == status);
        }

        if (filter.OwnerId is { } owner)
        {
            leads = leads.Where(l => l.OwnerId == owner);
        }

        if (filter.Unassigned is { } unassigned)
        {
            leads = unassigned ? leads.Where(l => l.OwnerId == null) : leads.Where(l => l.OwnerId != null);
        }

        if (!string.IsNullOrWhiteSpace(filter.Source))
        {
            var source = filter.Source.Trim();
            leads = leads.Where(l => l.Source == source);
        }

        if (!string.IsNullOrWhiteSpace(filter.Province))
        {
            var province = filter.Province.Trim();
            leads = leads.Where(l => l.Province == province);
        }

        if (!string.IsNullOrWhiteSpace(filter.Industry))
        {
            var industry = filter.Industry.Trim();
            leads = leads.Where(l => l.Industry == industry);
        }

        if (filter.PartnerId is { } partner)
        {
            leads = leads.Where(l => l.PartnerId == partner);
        }

        if (filter.CampaignId is { } campaign)
        {
            leads = leads.Where(l => l.CampaignId == campaign);
        }

        if (filter.CreatedFrom is { } from)
        {
            leads = leads.Where(l => l.CreatedAt >= from);
        }

        if (filter.CreatedTo is { } to)
        {
            leads = leads.Where(l => l.CreatedAt < to);
        }

        return leads;
    }
}
