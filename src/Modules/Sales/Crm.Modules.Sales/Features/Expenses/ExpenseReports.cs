using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Expenses;

/// <summary>One expense line.</summary>
/// <param name="Id">Line id.</param>
/// <param name="Date">When the expense was incurred.</param>
/// <param name="Category">E.g. travel, meals, lodging, gifts.</param>
/// <param name="Amount">Amount in the report's currency.</param>
/// <param name="Currency">The report's currency.</param>
/// <param name="Description">What it was.</param>
/// <param name="ActivityId">The activity it was for.</param>
/// <param name="OpportunityId">The opportunity it was for.</param>
/// <param name="Receipts">Receipt references (file ids or URLs).</param>
internal sealed record ExpenseLineResponse(
    Guid Id, DateOnly Date, string Category, decimal Amount, string Currency, string? Description, Guid? ActivityId, Guid? OpportunityId, IReadOnlyList<string> Receipts);

/// <summary>An expense report (费用报告).</summary>
/// <param name="Id">Report id.</param>
/// <param name="Title">Title.</param>
/// <param name="OwnerId">The rep who claims the expenses.</param>
/// <param name="Status">draft, submitted, approved, rejected or paid.</param>
/// <param name="Currency">Currency of every line and of the total.</param>
/// <param name="Total">Sum of the lines.</param>
/// <param name="Lines">The lines, by date.</param>
/// <param name="SubmittedAt">When it was last submitted.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record ExpenseReportResponse(
    Guid Id, string Title, Guid? OwnerId, ExpenseReportStatus Status, string Currency, decimal Total, IReadOnlyList<ExpenseLineResponse> Lines,
    DateTimeOffset? SubmittedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An expense report in a list (without its lines).</summary>
/// <param name="Id">Report id.</param>
/// <param name="Title">Title.</param>
/// <param name="OwnerId">The rep who claims the expenses.</param>
/// <param name="Status">draft, submitted, approved, rejected or paid.</param>
/// <param name="Currency">Currency.</param>
/// <param name="Total">Sum of the lines.</param>
/// <param name="SubmittedAt">When it was last submitted.</param>
/// <param name="CreatedAt">When it was created.</param>
internal sealed record ExpenseReportSummaryResponse(
    Guid Id, string Title, Guid? OwnerId, ExpenseReportStatus Status, string Currency, decimal Total, DateTimeOffset? SubmittedAt, DateTimeOffset CreatedAt);

/// <summary>A decision in a report's history.</summary>
/// <param name="Action">submit, approve, reject or pay.</param>
/// <param name="FromStatus">Status before.</param>
/// <param name="ToStatus">Status after.</param>
/// <param name="ActorId">Who decided.</param>
/// <param name="Comment">Why.</param>
/// <param name="DecidedAt">When.</param>
internal sealed record ExpenseDecisionResponse(
    ExpenseDecisionAction Action, ExpenseReportStatus FromStatus, ExpenseReportStatus ToStatus, Guid? ActorId, string? Comment, DateTimeOffset DecidedAt);

internal sealed record VersionedExpenseReport(ExpenseReportResponse Report, uint Version);

internal static class ExpenseReportProjection
{
    public static readonly Expression<Func<ExpenseReport, ExpenseReportSummaryResponse>> ToSummary = r =>
        new ExpenseReportSummaryResponse(r.Id, r.Title, r.OwnerId, r.Status, r.Currency, r.Total, r.SubmittedAt, r.CreatedAt);

    /// <summary>Newest first.</summary>
    public static readonly SortDefinition<ExpenseReport, ExpenseReportSummaryResponse> Sort =
        new SortDefinition<ExpenseReport, ExpenseReportSummaryResponse>(r => r.Id, r => r.Id, "-createdAt")
            .Add("createdAt", r => r.CreatedAt, r => r.CreatedAt)
            .Add("total", r => r.Total, r => r.Total);

    public static VersionedExpenseReport Versioned(ExpenseReport r) => new(
        new ExpenseReportResponse(
            r.Id, r.Title, r.OwnerId, r.Status, r.Currency, r.Total,
            r.Lines.OrderBy(l => l.Date).ThenBy(l => l.Id)
                .Select(l => new ExpenseLineResponse(l.Id, l.Date, l.Category, l.Amount, r.Currency, l.Description, l.ActivityId, l.OpportunityId, l.Receipts)).ToList(),
            r.SubmittedAt, r.CreatedAt, r.UpdatedAt),
        r.Version);
}

/// <summary>One expense line of a create or update.</summary>
/// <param name="Date">When it was incurred (required, not in the future).</param>
/// <param name="Category">Category (required, at most 50 characters).</param>
/// <param name="Amount">Amount, more than 0, at most two decimals (required).</param>
/// <param name="Currency">Must equal the report's currency when given.</param>
/// <param name="Description">What it was (at most 1000 characters).</param>
/// <param name="ActivityId">The activity it was for (must exist and be visible).</param>
/// <param name="OpportunityId">The opportunity it was for (must exist).</param>
/// <param name="Receipts">Receipt references: file ids or URLs (at most 20, 500 characters each).</param>
internal sealed record ExpenseLineRequest(
    DateOnly? Date, string? Category, decimal? Amount, string? Currency = null, string? Description = null, Guid? ActivityId = null,
    Guid? OpportunityId = null, IReadOnlyList<string>? Receipts = null);

internal sealed class ExpenseLineValidator : AbstractValidator<ExpenseLineRequest>
{
    public ExpenseLineValidator(TimeProvider time)
    {
        RuleFor(l => l.Date).NotNull().Must(d => d is null || d <= DateOnly.FromDateTime(time.UtcNow().UtcDateTime.AddDays(1)))
            .WithMessage("date is required and not in the future.");
        RuleFor(l => l.Category).NotEmpty().MaximumLength(50);
        RuleFor(l => l.Amount).NotNull().GreaterThan(0).PrecisionScale(18, 2, true);
        RuleFor(l => l.Description).MaximumLength(1000);
        RuleFor(l => l.Receipts).Must(r => r is null || (r.Count <= 20 && r.All(x => !string.IsNullOrWhiteSpace(x) && x.Length <= 500)))
            .WithMessage("At most 20 receipts, each 1 to 500 characters.");
    }
}

internal static class ExpenseRules
{
    public static readonly ProblemException Forbidden = new(403, ProblemTypes.Forbidden, "Forbidden", "Only the owner submits a report; managers decide on their team's reports, never their own.");

    public static ConflictException NotAllowed(Guid id, ExpenseReportStatus status, string what) =>
        new(ProblemTypes.BaseUri + "expense-report-status", "Not allowed in this status",
            $"Expense report '{id}' is {JsonNamingPolicy.CamelCase.ConvertName(status.ToString())}; it cannot be {what}.");

    public static void ValidateCurrency(string currency, IReadOnlyList<ExpenseLineRequest> lines)
    {
        var errors = new List<(string, string)>();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            errors.Add(("currency", "currency is an ISO 4217 code such as CNY."));
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Currency is { } c && c != currency)
            {
                errors.Add(($"lines[{i}].currency", "Every line is in the report's currency."));
            }
        }

        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }
    }

    /// <summary>Linked activities must exist and be visible to the caller; linked opportunities must exist (422).</summary>
    public static async Task<List<ExpenseLine>> ToLinesAsync(SalesDbContext db, AccessScope scope, IReadOnlyList<ExpenseLineRequest> lines, CancellationToken ct)
    {
        var activityIds = lines.Where(l => l.ActivityId is not null).Select(l => l.ActivityId!.Value).Distinct().ToList();
        var found = await db.Activities.Visible(scope).Where(a => activityIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
        if (activityIds.Except(found).FirstOrDefault() is var missingActivity && missingActivity != Guid.Empty)
        {
            throw ActivityProblems.Unknown("Activity", missingActivity);
        }

        var opportunityIds = lines.Where(l => l.OpportunityId is not null).Select(l => l.OpportunityId!.Value).Distinct().ToList();
        var opportunities = await db.Opportunities.Where(o => opportunityIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(ct);
        if (opportunityIds.Except(opportunities).FirstOrDefault() is var missingOpportunity && missingOpportunity != Guid.Empty)
        {
            throw ActivityProblems.Unknown("Opportunity", missingOpportunity);
        }

        return lines.Select(l => new ExpenseLine(l.Date!.Value, l.Category!, l.Amount!.Value, l.Description, l.ActivityId, l.OpportunityId, l.Receipts ?? [])).ToList();
    }

    public static async Task<ExpenseReport> FindVisibleAsync(SalesDbContext db, AccessScope scope, Guid id, CancellationToken ct) =>
        await db.ExpenseReports.Where(scope.Filter<ExpenseReport>(r => r.OwnerId)).SingleOrDefaultAsync(r => r.Id == id, ct)
            ?? throw new NotFoundException("Expense report", id);
}

/// <summary>Create a draft expense report for the caller.</summary>
/// <param name="Title">Title (required, at most 200 characters).</param>
/// <param name="Currency">ISO 4217 currency of every line (default CNY).</param>
/// <param name="Lines">The expenses (at most 200).</param>
internal sealed record CreateExpenseReportRequest(string? Title, string? Currency, IReadOnlyList<ExpenseLineRequest>? Lines) : IRequest<VersionedExpenseReport>;

internal sealed class CreateExpenseReportValidator : AbstractValidator<CreateExpenseReportRequest>
{
    public CreateExpenseReportValidator(TimeProvider time)
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Lines).Must(l => l is null || l.Count <= 200).WithMessage("At most 200 lines.");
        RuleForEach(r => r.Lines).SetValidator(new ExpenseLineValidator(time));
    }
}

internal sealed class CreateExpenseReportHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CreateExpenseReportRequest, VersionedExpenseReport>
{
    public async Task<VersionedExpenseReport> Handle(CreateExpenseReportRequest request, CancellationToken cancellationToken)
    {
        var owner = actor.Id ?? throw ExpenseRules.Forbidden;
        var currency = request.Currency ?? ExpenseReport.DefaultCurrency;
        var lineRequests = request.Lines ?? [];
        ExpenseRules.ValidateCurrency(currency, lineRequests);
        var lines = await ExpenseRules.ToLinesAsync(db, await access.GetAsync(cancellationToken), lineRequests, cancellationToken);
        var report = ExpenseReport.Create(owner, request.Title!, currency, lines, time.UtcNow());
        db.ExpenseReports.Add(report);
        await db.SaveChangesAsync(cancellationToken);
        return ExpenseReportProjection.Versioned(report);
    }
}

/// <summary>Change a draft or rejected report (JSON merge patch); a rejected report goes back to draft.</summary>
/// <param name="Title">Title.</param>
/// <param name="Currency">Currency of every line.</param>
/// <param name="Lines">Replaces all lines.</param>
internal sealed record UpdateExpenseReportRequest(Optional<string> Title, Optional<string> Currency, Optional<IReadOnlyList<ExpenseLineRequest>> Lines)
    : IRequest<VersionedExpenseReport>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateExpenseReportValidator : AbstractValidator<UpdateExpenseReportRequest>
{
    public UpdateExpenseReportValidator(TimeProvider time)
    {
        RuleFor(r => r.Title.Value).NotEmpty().MaximumLength(200).When(r => r.Title.HasValue).OverridePropertyName("title");
        RuleFor(r => r.Lines.Value).NotNull().Must(l => l is null || l.Count <= 200).When(r => r.Lines.HasValue).OverridePropertyName("lines")
            .WithMessage("lines is a list of at most 200 lines.");
        RuleForEach(r => r.Lines.Value).SetValidator(new ExpenseLineValidator(time)).When(r => r.Lines.HasValue && r.Lines.Value is not null)
            .OverridePropertyName("lines");
    }
}

internal sealed class UpdateExpenseReportHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<UpdateExpenseReportRequest, VersionedExpenseReport>
{
    public async Task<VersionedExpenseReport> Handle(UpdateExpenseReportRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var report = await ExpenseRules.FindVisibleAsync(db, scope, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(report.Version);
        if (report.OwnerId != actor.Id)
        {
            throw ExpenseRules.Forbidden;
        }

        if (!report.IsEditable)
        {
            throw ExpenseRules.NotAllowed(report.Id, report.Status, "edited");
        }

        var currency = request.Currency.Or(report.Currency);
        var lineRequests = request.Lines.HasValue ? request.Lines.Value : null;
        ExpenseRules.ValidateCurrency(currency, lineRequests ?? []);
        var lines = lineRequests is null ? report.Lines : await ExpenseRules.ToLinesAsync(db, scope, lineRequests, cancellationToken);
        if (lineRequests is not null)
        {
            // The lines are replaced as a whole: explicit states, so EF never mistakes a new line (its id is set) for an existing one.
            db.RemoveRange(report.Lines);
            db.AddRange(lines);
        }

        report.Edit(request.Title.Or(report.Title), currency, lines, time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ExpenseReportProjection.Versioned(report);
    }
}

internal sealed record GetExpenseReportRequest(Guid Id) : IRequest<VersionedExpenseReport>;

internal sealed class GetExpenseReportHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetExpenseReportRequest, VersionedExpenseReport>
{
    public async Task<VersionedExpenseReport> Handle(GetExpenseReportRequest request, CancellationToken cancellationToken) =>
        ExpenseReportProjection.Versioned(await ExpenseRules.FindVisibleAsync(db, await access.GetAsync(cancellationToken), request.Id, cancellationToken));
}

internal sealed record ListExpenseDecisionsRequest(Guid Id) : IRequest<IReadOnlyList<ExpenseDecisionResponse>>;

internal sealed class ListExpenseDecisionsHandler(SalesDbContext db, IAccessScopeProvider access)
    : IRequestHandler<ListExpenseDecisionsRequest, IReadOnlyList<ExpenseDecisionResponse>>
{
    public async Task<IReadOnlyList<ExpenseDecisionResponse>> Handle(ListExpenseDecisionsRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        if (!await db.ExpenseReports.Where(scope.Filter<ExpenseReport>(r => r.OwnerId)).AnyAsync(r => r.Id == request.Id, cancellationToken))
        {
            throw new NotFoundException("Expense report", request.Id);
        }

        return await db.ExpenseDecisions.AsNoTracking().Where(d => d.ReportId == request.Id).OrderBy(d => d.DecidedAt).ThenBy(d => d.Id)
            .Select(d => new ExpenseDecisionResponse(d.Action, d.FromStatus, d.ToStatus, d.ActorId, d.Comment, d.DecidedAt))
            .ToListAsync(cancellationToken);
    }
}

/// <summary>A decision on a report: submit (owner), approve / reject / pay (a manager over the owner).</summary>
internal sealed record DecideExpenseReportRequest(Guid Id, ExpenseDecisionAction Action, string? Comment, IfMatch IfMatch) : IRequest<VersionedExpenseReport>;

internal sealed class DecideExpenseReportValidator : AbstractValidator<DecideExpenseReportRequest>
{
    public DecideExpenseReportValidator()
    {
        RuleFor(r => r.Comment).MaximumLength(1000).OverridePropertyName("comment");
        RuleFor(r => r.Comment).NotEmpty().When(r => r.Action == ExpenseDecisionAction.Reject).OverridePropertyName("comment")
            .WithMessage("comment is required to reject a report.");
    }
}

internal sealed class DecideExpenseReportHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<DecideExpenseReportRequest, VersionedExpenseReport>
{
    public async Task<VersionedExpenseReport> Handle(DecideExpenseReportRequest request, CancellationToken cancellationToken)
    {
        var report = await ExpenseRules.FindVisibleAsync(db, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(report.Version);

        // Submitting is the owner's act; deciding is a manager's, and nobody approves their own expenses.
        var isOwner = report.OwnerId == actor.Id;
        if (request.Action == ExpenseDecisionAction.Submit ? !isOwner : isOwner)
        {
            throw ExpenseRules.Forbidden;
        }

        if (request.Action == ExpenseDecisionAction.Submit && report.Lines.Count == 0)
        {
            throw new BusinessRuleException(ProblemTypes.BaseUri + "expense-report-empty", "Empty expense report", "Add at least one line before submitting.");
        }

        var decision = report.Decide(request.Action, actor.Id, request.Comment, time.UtcNow())
            ?? throw ExpenseRules.NotAllowed(report.Id, report.Status, JsonNamingPolicy.CamelCase.ConvertName(request.Action.ToString()) + "ed");
        db.ExpenseDecisions.Add(decision);
        if (ExpenseReportEvents.For(report, decision) is { } decided)
        {
            db.AddIntegrationEvent(decided);
        }

        await db.SaveChangesAsync(cancellationToken);
        return ExpenseReportProjection.Versioned(report);
    }
}

/// <summary>Filters of the expense report list.</summary>
internal sealed record ListExpenseReportsRequest(PageRequest Page, string? Sort, Guid? OwnerId, ExpenseReportStatus? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo)
    : IRequest<Page<ExpenseReportSummaryResponse>>;

internal sealed class ListExpenseReportsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListExpenseReportsRequest, Page<ExpenseReportSummaryResponse>>
{
    public async Task<Page<ExpenseReportSummaryResponse>> Handle(ListExpenseReportsRequest request, CancellationToken cancellationToken)
    {
        var order = ExpenseReportProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var reports = db.ExpenseReports.AsNoTracking().IgnoreAutoIncludes().Where(scope.Filter<ExpenseReport>(r => r.OwnerId));
        if (request.OwnerId is { } owner)
        {
            reports = reports.Where(r => r.OwnerId == owner);
        }

        if (request.Status is { } status)
        {
            reports = reports.Where(r => r.Status == status);
        }

        if (request.CreatedFrom is { } from)
        {
            reports = reports.Where(r => r.CreatedAt >= from);
        }

        if (request.CreatedTo is { } to)
        {
            reports = reports.Where(r => r.CreatedAt < to);
        }

        return await reports.ToPageAsync(ExpenseReportProjection.ToSummary, order, request.Page, cancellationToken);
    }
}
