using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Quotas;

/// <summary>A sales quota (销售定额) of a user or a team for one period.</summary>
/// <param name="Id">Quota id.</param>
/// <param name="SubjectKind">user or team.</param>
/// <param name="UserId">The user, for a user quota.</param>
/// <param name="TeamId">The team, for a team quota.</param>
/// <param name="Period">The period key: 2026 (year), 2026-Q4 (quarter) or 2026-11 (month).</param>
/// <param name="PeriodKind">month, quarter or year.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="PeriodEnd">The day after the period's last day (exclusive end).</param>
/// <param name="AmountTarget">The amount to win in the period.</param>
/// <param name="Currency">ISO 4217 currency of the amount target.</param>
/// <param name="NewCustomersTarget">The new customers to win in the period (customers whose first won opportunity falls in it).</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record SalesQuotaResponse(
    Guid Id,
    QuotaSubjectKind SubjectKind,
    Guid? UserId,
    Guid? TeamId,
    string Period,
    SalesPeriodKind PeriodKind,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    decimal AmountTarget,
    string Currency,
    int NewCustomersTarget,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A quota with the row version that becomes its ETag.</summary>
internal sealed record VersionedSalesQuota(SalesQuotaResponse Quota, uint Version);

internal static class SalesQuotaProjection
{
    public static readonly Expression<Func<SalesQuota, SalesQuotaResponse>> ToResponse = q => new SalesQuotaResponse(
        q.Id,
        q.SubjectKind,
        q.SubjectKind == QuotaSubjectKind.User ? q.SubjectId : null,
        q.SubjectKind == QuotaSubjectKind.Team ? q.SubjectId : null,
        q.Period,
        q.PeriodKind,
        q.PeriodStart,
        q.PeriodEnd,
        q.AmountTarget,
        q.Currency,
        q.NewCustomersTarget,
        q.CreatedAt,
        q.UpdatedAt);

    /// <summary>By period start (then id) by default: the quota plan reads in calendar order.</summary>
    public static readonly SortDefinition<SalesQuota, SalesQuotaResponse> Sort = new SortDefinition<SalesQuota, SalesQuotaResponse>(q => q.Id, q => q.Id, "periodStart")
        .Add("periodStart", q => q.PeriodStart, q => q.PeriodStart)
        .Add("createdAt", q => q.CreatedAt, q => q.CreatedAt);

    private static readonly Func<SalesQuota, SalesQuotaResponse> Compiled = ToResponse.Compile();

    public static VersionedSalesQuota Versioned(SalesQuota quota) => new(Compiled(quota), quota.Version);

    /// <summary>
    /// Quotas the caller may read: user quotas of the users whose records they see, team quotas of the teams they may
    /// report on (a rep: their own and their team's; a manager: their team subtree's; administrators: all).
    /// </summary>
    public static IQueryable<SalesQuota> Visible(this IQueryable<SalesQuota> quotas, AccessScope scope)
    {
        if (scope.SeesAll)
        {
            return quotas;
        }

        var owners = scope.VisibleOwners.OfType<Guid>().ToList();
        var teams = scope.VisibleTeams.ToList();
        return quotas.Where(q => (q.SubjectKind == QuotaSubjectKind.User && owners.Contains(q.SubjectId))
            || (q.SubjectKind == QuotaSubjectKind.Team && teams.Contains(q.SubjectId)));
    }
}

internal static class SalesQuotaProblems
{
    public const string DuplicateQuotaType = ProblemTypes.BaseUri + "duplicate-quota";
    public const string UnknownQuotaSubjectType = ProblemTypes.BaseUri + "unknown-quota-subject";

    public static ConflictException Duplicate(string period) =>
        new(DuplicateQuotaType, "Duplicate quota", $"This user or team already has a quota for {period}; change that one instead.");

    /// <summary>Saves, turning the unique violation of a concurrent writer into the same 409 the pre-check answers.</summary>
    public static Task SaveAsync(SalesDbContext db, string period, CancellationToken cancellationToken) =>
        db.SaveChangesOrConflictAsync(_ => Duplicate(period), cancellationToken);
}

/// <summary>Shared rules of the target fields, for create and for the patched result.</summary>
internal static class SalesQuotaRules
{
    public const string PeriodMessage = "period must be a year (2026), a quarter (2026-Q4) or a month (2026-11) between 2000 and 2100.";

    public static void Targets<T>(AbstractValidator<T> validator, Func<T, decimal?> amountTarget, Func<T, string?> currency, Func<T, int?> newCustomersTarget)
    {
        validator.RuleFor(r => amountTarget(r)).NotNull().GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, true).OverridePropertyName("amountTarget");
        validator.RuleFor(r => currency(r)).Matches("^[A-Za-z]{3}$").WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency");
        validator.RuleFor(r => newCustomersTarget(r)).GreaterThanOrEqualTo(0).LessThanOrEqualTo(1_000_000).OverridePropertyName("newCustomersTarget");
    }
}

/// <summary>Set a quota for a user or a team (exactly one of them) for a period.</summary>
/// <param name="UserId">The user (a rep or manager in the caller's scope).</param>
/// <param name="TeamId">The team (in the caller's team subtree).</param>
/// <param name="Period">2026 (year), 2026-Q4 (quarter) or 2026-11 (month).</param>
/// <param name="AmountTarget">Amount to win, 0 or more, 2 decimals (required).</param>
/// <param name="Currency">ISO 4217 currency (default CNY).</param>
/// <param name="NewCustomersTarget">New customers to win, 0 or more (default 0).</param>
internal sealed record CreateSalesQuotaRequest(
    Guid? UserId, Guid? TeamId, string? Period, decimal? AmountTarget, string? Currency = null, int? NewCustomersTarget = null) : IRequest<VersionedSalesQuota>;

internal sealed class CreateSalesQuotaValidator : AbstractValidator<CreateSalesQuotaRequest>
{
    public CreateSalesQuotaValidator()
    {
        RuleFor(r => r.UserId).Must((r, user) => user is null != r.TeamId is null)
            .WithMessage("Name exactly one of userId and teamId.");
        RuleFor(r => r.Period).Must(p => SalesPeriod.TryParse(p, out _)).WithMessage(SalesQuotaRules.PeriodMessage);
        SalesQuotaRules.Targets(this, r => r.AmountTarget, r => r.Currency, r => r.NewCustomersTarget);
    }
}

internal sealed class CreateSalesQuotaHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ITeamDirectory teams, TimeProvider time)
    : IRequestHandler<CreateSalesQuotaRequest, VersionedSalesQuota>
{
    public async Task<VersionedSalesQuota> Handle(CreateSalesQuotaRequest request, CancellationToken cancellationToken)
    {
        SalesPeriod.TryParse(request.Period, out var period);
        var scope = await access.GetAsync(cancellationToken);
        var (kind, subject) = request.UserId is { } userId ? (QuotaSubjectKind.User, userId) : (QuotaSubjectKind.Team, request.TeamId!.Value);
        if (kind == QuotaSubjectKind.User)
        {
            if (await users.FindByIdAsync(subject, cancellationToken) is null)
            {
                throw new BusinessRuleException(SalesQuotaProblems.UnknownQuotaSubjectType, "Unknown user", $"There is no user '{subject}'.");
            }

            if (!scope.CanSee(subject))
            {
                throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only set quotas for users in your team subtree.");
            }
        }
        else
        {
            if (await teams.GetSubtreeAsync(subject, cancellationToken) is null)
            {
                throw new BusinessRuleException(SalesQuotaProblems.UnknownQuotaSubjectType, "Unknown team", $"There is no team '{subject}'.");
            }

            if (!scope.CanSeeTeam(subject))
            {
                throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only set quotas for your team and the teams below it.");
            }
        }

        if (await db.SalesQuotas.AnyAsync(q => q.SubjectKind == kind && q.SubjectId == subject && q.Period == period.Key, cancellationToken))
        {
            throw SalesQuotaProblems.Duplicate(period.Key);
        }

        var quota = SalesQuota.Create(kind, subject, period, request.AmountTarget!.Value, request.Currency ?? SalesQuota.DefaultCurrency, request.NewCustomersTarget ?? 0, time.UtcNow());
        db.SalesQuotas.Add(quota);
        await SalesQuotaProblems.SaveAsync(db, period.Key, cancellationToken);
        return SalesQuotaProjection.Versioned(quota);
    }
}

internal sealed record GetSalesQuotaRequest(Guid Id) : IRequest<VersionedSalesQuota>;

internal sealed class GetSalesQuotaHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetSalesQuotaRequest, VersionedSalesQuota>
{
    public async Task<VersionedSalesQuota> Handle(GetSalesQuotaRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var quota = await db.SalesQuotas.AsNoTracking().Visible(scope).FirstOrDefaultAsync(q => q.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Sales quota", request.Id);
        return SalesQuotaProjection.Versioned(quota);
    }
}

/// <summary>
/// A JSON merge patch of a quota's targets. The subject and the period are the quota's identity: to move a target,
/// delete the quota and create another.
/// </summary>
/// <param name="AmountTarget">Amount to win.</param>
/// <param name="Currency">ISO 4217 currency.</param>
/// <param name="NewCustomersTarget">New customers to win.</param>
internal sealed record UpdateSalesQuotaRequest(Optional<decimal?> AmountTarget, Optional<string?> Currency, Optional<int?> NewCustomersTarget) : IRequest<VersionedSalesQuota>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateSalesQuotaValidator : AbstractValidator<UpdateSalesQuotaRequest>
{
    public UpdateSalesQuotaValidator()
    {
        When(r => r.AmountTarget.HasValue, () => RuleFor(r => r.AmountTarget.Value).NotNull().GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, true).OverridePropertyName("amountTarget"));
        When(r => r.Currency.HasValue, () => RuleFor(r => r.Currency.Value).NotNull().Matches("^[A-Za-z]{3}$")
            .WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency"));
        When(r => r.NewCustomersTarget.HasValue, () => RuleFor(r => r.NewCustomersTarget.Value).NotNull().GreaterThanOrEqualTo(0).LessThanOrEqualTo(1_000_000)
            .OverridePropertyName("newCustomersTarget"));
    }
}

internal sealed class UpdateSalesQuotaHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IRequestHandler<UpdateSalesQuotaRequest, VersionedSalesQuota>
{
    public async Task<VersionedSalesQuota> Handle(UpdateSalesQuotaRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var quota = await db.SalesQuotas.Visible(scope).FirstOrDefaultAsync(q => q.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Sales quota", request.Id);
        request.IfMatch.EnsureMatches(quota.Version);
        quota.SetTargets(
            request.AmountTarget.Or(quota.AmountTarget) ?? quota.AmountTarget,
            request.Currency.Or(quota.Currency) ?? quota.Currency,
            request.NewCustomersTarget.Or(quota.NewCustomersTarget) ?? quota.NewCustomersTarget,
            time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return SalesQuotaProjection.Versioned(quota);
    }
}

internal sealed record DeleteSalesQuotaRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class DeleteSalesQuotaHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<DeleteSalesQuotaRequest, Unit>
{
    public async Task<Unit> Handle(DeleteSalesQuotaRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var quota = await db.SalesQuotas.Visible(scope).FirstOrDefaultAsync(q => q.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Sales quota", request.Id);
        request.IfMatch.EnsureMatches(quota.Version);
        db.SalesQuotas.Remove(quota);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

/// <summary>Filters of the quota list.</summary>
/// <param name="UserId">Only this user's quotas.</param>
/// <param name="TeamId">Only this team's quotas.</param>
/// <param name="SubjectKind">Only user or team quotas.</param>
/// <param name="Period">Only this period key (2026-Q4).</param>
/// <param name="PeriodKind">Only month, quarter or year quotas.</param>
/// <param name="Year">Only periods of this year.</param>
internal sealed record SalesQuotaFilter(Guid? UserId, Guid? TeamId, QuotaSubjectKind? SubjectKind, string? Period, SalesPeriodKind? PeriodKind, int? Year);

internal sealed record ListSalesQuotasRequest(PageRequest Page, string? Sort, SalesQuotaFilter Filter) : IRequest<Page<SalesQuotaResponse>>;

internal sealed class ListSalesQuotasValidator : AbstractValidator<ListSalesQuotasRequest>
{
    public ListSalesQuotasValidator()
    {
        RuleFor(r => r.Filter.Period).Must(p => p is null || SalesPeriod.TryParse(p, out _)).WithMessage(SalesQuotaRules.PeriodMessage).OverridePropertyName("period");
        RuleFor(r => r.Filter.Year).InclusiveBetween(SalesPeriod.MinYear, SalesPeriod.MaxYear).OverridePropertyName("year");
    }
}

internal sealed class ListSalesQuotasHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListSalesQuotasRequest, Page<SalesQuotaResponse>>
{
    public async Task<Page<SalesQuotaResponse>> Handle(ListSalesQuotasRequest request, CancellationToken cancellationToken)
    {
        var order = SalesQuotaProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var quotas = db.SalesQuotas.AsNoTracking().Visible(scope);
        var f = request.Filter;
        if (f.UserId is { } user)
        {
            quotas = quotas.Where(q => q.SubjectKind == QuotaSubjectKind.User && q.SubjectId == user);
        }

        if (f.TeamId is { } team)
        {
            quotas = quotas.Where(q => q.SubjectKind == QuotaSubjectKind.Team && q.SubjectId == team);
        }

        if (f.SubjectKind is { } kind)
        {
            quotas = quotas.Where(q => q.SubjectKind == kind);
        }

        if (f.Period is not null && SalesPeriod.TryParse(f.Period, out var period))
        {
            var key = period.Key;
            quotas = quotas.Where(q => q.Period == key);
        }

        if (f.PeriodKind is { } periodKind)
        {
            quotas = quotas.Where(q => q.PeriodKind == periodKind);
        }

        if (f.Year is { } year)
        {
            var start = new DateOnly(year, 1, 1);
            var end = start.AddYears(1);
            quotas = quotas.Where(q => q.PeriodStart >= start && q.PeriodStart < end);
        }

        return await quotas.ToPageAsync(SalesQuotaProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
