using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Competitors;

/// <summary>A competitor (竞争对手).</summary>
/// <param name="Id">Competitor id.</param>
/// <param name="Name">Name (unique).</param>
/// <param name="Website">Website.</param>
/// <param name="Strengths">What they do well (优势).</param>
/// <param name="Weaknesses">Where they are weak (劣势).</param>
/// <param name="Notes">Notes.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record CompetitorResponse(
    Guid Id, string Name, string? Website, string? Strengths, string? Weaknesses, string? Notes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A competitor with the row version that becomes its ETag.</summary>
internal sealed record VersionedCompetitor(CompetitorResponse Competitor, uint Version);

internal static class CompetitorProjection
{
    public static readonly Expression<Func<Competitor, CompetitorResponse>> ToResponse = c =>
        new CompetitorResponse(c.Id, c.Name, c.Website, c.Strengths, c.Weaknesses, c.Notes, c.CreatedAt, c.UpdatedAt);

    /// <summary>By name (unique index) by default, or newest first.</summary>
    public static readonly SortDefinition<Competitor, CompetitorResponse> Sort = new SortDefinition<Competitor, CompetitorResponse>(c => c.Id, c => c.Id, "name")
        .Add("name", c => c.Name, c => c.Name)
        .Add("createdAt", c => c.CreatedAt, c => c.CreatedAt);

    private static readonly Func<Competitor, CompetitorResponse> Compiled = ToResponse.Compile();

    public static VersionedCompetitor Versioned(Competitor competitor) => new(Compiled(competitor), competitor.Version);
}

internal static class CompetitorProblems
{
    public const string DuplicateNameType = ProblemTypes.BaseUri + "duplicate-competitor-name";
    public const string InUseType = ProblemTypes.BaseUri + "competitor-in-use";

    public static ConflictException DuplicateName(string name) =>
        new(DuplicateNameType, "Competitor name in use", $"Another competitor is already called '{name}'.");

    public static ConflictException InUse(Guid id, int opportunities) =>
        new(InUseType, "Competitor in use", $"Competitor {id} is linked to {opportunities} opportunities: their history keeps it.");
}

/// <summary>A competitor's complete settings (create, and PUT which replaces them).</summary>
/// <param name="Name">Name (required, unique, at most 200 characters).</param>
/// <param name="Website">Website (an absolute http or https URL).</param>
/// <param name="Strengths">What they do well (at most 2,000 characters).</param>
/// <param name="Weaknesses">Where they are weak (at most 2,000 characters).</param>
/// <param name="Notes">Notes (at most 4,000 characters).</param>
internal sealed record CompetitorRequest(string? Name, string? Website = null, string? Strengths = null, string? Weaknesses = null, string? Notes = null)
    : IRequest<VersionedCompetitor>
{
    [JsonIgnore]
    public Guid? Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class CompetitorRequestValidator : AbstractValidator<CompetitorRequest>
{
    public CompetitorRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(Competitor.MaxNameLength);
        RuleFor(r => r.Website).MaximumLength(Competitor.MaxWebsiteLength)
            .Must(w => w is null || (Uri.TryCreate(w.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            .WithMessage("website must be an absolute http or https URL.");
        RuleFor(r => r.Strengths).MaximumLength(Competitor.MaxTextLength);
        RuleFor(r => r.Weaknesses).MaximumLength(Competitor.MaxTextLength);
        RuleFor(r => r.Notes).MaximumLength(Competitor.MaxNotesLength);
    }
}

internal sealed record GetCompetitorRequest(Guid Id) : IRequest<VersionedCompetitor>;

internal sealed record ListCompetitorsRequest(PageRequest Page, string? Sort, string? Q) : IRequest<Page<CompetitorResponse>>;

/// <summary>Delete a competitor no opportunity refers to.</summary>
internal sealed record DeleteCompetitorRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class CompetitorHandlers(SalesDbContext db, TimeProvider time)
    : IRequestHandler<CompetitorRequest, VersionedCompetitor>,
        IRequestHandler<GetCompetitorRequest, VersionedCompetitor>,
        IRequestHandler<ListCompetitorsRequest, Page<CompetitorResponse>>,
        IRequestHandler<DeleteCompetitorRequest, Unit>
{
    public async Task<VersionedCompetitor> Handle(CompetitorRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!.Trim();
        Competitor competitor;
        var now = time.UtcNow();
        if (request.Id is { } id)
        {
            competitor = await db.Competitors.SingleOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw new NotFoundException("Competitor", id);
            request.IfMatch.EnsureMatches(competitor.Version);
        }
        else
        {
            competitor = Competitor.Create(name, now);
            db.Competitors.Add(competitor);
        }

        if (await db.Competitors.AnyAsync(c => c.Name == name && c.Id != competitor.Id, cancellationToken))
        {
            throw CompetitorProblems.DuplicateName(name);
        }

        competitor.Update(name, request.Website, request.Strengths, request.Weaknesses, request.Notes, now);
        await db.SaveChangesAsync(cancellationToken);
        return CompetitorProjection.Versioned(competitor);
    }

    public async Task<VersionedCompetitor> Handle(GetCompetitorRequest request, CancellationToken cancellationToken) =>
        CompetitorProjection.Versioned(await db.Competitors.AsNoTracking().SingleOrDefaultAsync(c => c.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Competitor", request.Id));

    public async Task<Page<CompetitorResponse>> Handle(ListCompetitorsRequest request, CancellationToken cancellationToken)
    {
        if (request.Q is { Length: > Competitor.MaxNameLength })
        {
            throw ValidationFailedException.For("q", $"q is at most {Competitor.MaxNameLength} characters.");
        }

        var order = CompetitorProjection.Sort.Parse(request.Sort);
        var competitors = db.Competitors.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var pattern = LikePattern.Contains(request.Q.Trim());
            competitors = competitors.Where(c => EF.Functions.ILike(c.Name, pattern, LikePattern.Escape));
        }

        return await competitors.ToPageAsync(CompetitorProjection.ToResponse, order, request.Page, cancellationToken);
    }

    public async Task<Unit> Handle(DeleteCompetitorRequest request, CancellationToken cancellationToken)
    {
        var competitor = await db.Competitors.SingleOrDefaultAsync(c => c.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Competitor", request.Id);
        request.IfMatch.EnsureMatches(competitor.Version);

        // The links and lost-to references are deal history (the stats and loss analysis read them): they block the
        // delete (the foreign keys restrict it too) rather than vanish with it.
        var id = competitor.Id;
        var linked = await db.OpportunityCompetitors.CountAsync(l => l.CompetitorId == id, cancellationToken)
            + await db.Opportunities.CountAsync(o => o.LostToCompetitorId == id, cancellationToken);
        if (linked > 0)
        {
            throw CompetitorProblems.InUse(id, linked);
        }

        db.Competitors.Remove(competitor);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

/// <summary>How the caller's visible opportunities fared against one competitor.</summary>
/// <param name="CompetitorId">The competitor.</param>
/// <param name="Open">Open opportunities running against them.</param>
/// <param name="Won">Won opportunities that ran against them.</param>
/// <param name="Lost">Lost opportunities that ran against them.</param>
/// <param name="LostToThem">Of the lost ones, those lost to this competitor.</param>
/// <param name="WinRate">won ÷ (won + lost), 4 decimals; null before any closed one.</param>
/// <param name="Amounts">Amounts per currency (never added across currencies).</param>
internal sealed record CompetitorStatsResponse(Guid CompetitorId, int Open, int Won, int Lost, int LostToThem, decimal? WinRate, IReadOnlyList<CompetitorStatsAmounts> Amounts);

/// <summary>The amounts of one currency.</summary>
/// <param name="Currency">ISO 4217 currency.</param>
/// <param name="Open">Sum of the open opportunities' amounts.</param>
/// <param name="Won">Sum of the won ones.</param>
/// <param name="Lost">Sum of the lost ones.</param>
internal sealed record CompetitorStatsAmounts(string Currency, decimal Open, decimal Won, decimal Lost);

internal sealed record GetCompetitorStatsRequest(Guid Id) : IRequest<CompetitorStatsResponse>;

internal sealed class GetCompetitorStatsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetCompetitorStatsRequest, CompetitorStatsResponse>
{
    public async Task<CompetitorStatsResponse> Handle(GetCompetitorStatsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Id;
        if (!await db.Competitors.AnyAsync(c => c.Id == id, cancellationToken))
        {
            throw new NotFoundException("Competitor", id);
        }

        // One grouped statement over the caller's visible opportunities linked to the competitor (losing to one links
        // it, so the lost-to ones are among them).
        var scope = await access.GetAsync(cancellationToken);
        var rows = await db.Opportunities.AsNoTracking()
            .Where(scope.Filter<Opportunity>(o => o.OwnerId))
            .Where(o => db.OpportunityCompetitors.Any(l => l.OpportunityId == o.Id && l.CompetitorId == id))
            .GroupBy(o => o.Currency)
            .Select(g => new
            {
                Currency = g.Key,
                Open = g.Count(o => o.Status == OpportunityStatus.Open),
                Won = g.Count(o => o.Status == OpportunityStatus.Won),
                Lost = g.Count(o => o.Status == OpportunityStatus.Lost),
                LostToThem = g.Count(o => o.LostToCompetitorId == id),
                OpenAmount = g.Sum(o => o.Status == OpportunityStatus.Open ? o.Amount : 0m),
                WonAmount = g.Sum(o => o.Status == OpportunityStatus.Won ? o.Amount : 0m),
                LostAmount = g.Sum(o => o.Status == OpportunityStatus.Lost ? o.Amount : 0m),
            })
            .OrderBy(r => r.Currency)
            .ToListAsync(cancellationToken);

        var won = rows.Sum(r => r.Won);
        var lost = rows.Sum(r => r.Lost);
        decimal? winRate = won + lost == 0 ? null : Math.Round((decimal)won / (won + lost), 4);
        return new CompetitorStatsResponse(
            id, rows.Sum(r => r.Open), won, lost, rows.Sum(r => r.LostToThem), winRate,
            [.. rows.Select(r => new CompetitorStatsAmounts(r.Currency, r.OpenAmount, r.WonAmount, r.LostAmount))]);
    }
}
