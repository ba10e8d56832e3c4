using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>Create a quote for a customer, or for an opportunity (its customer is then the quote's).</summary>
/// <param name="CustomerId">The customer (required unless opportunityId is given).</param>
/// <param name="OpportunityId">The opportunity it belongs to; must be visible and of the same customer.</param>
/// <param name="Title">Title (required, at most 200 characters).</param>
/// <param name="Lines">The lines (1 to 200).</param>
/// <param name="Currency">ISO 4217 currency of every amount (default CNY); resolved prices must be in it.</param>
/// <param name="ValidUntil">Last day the offer holds (default today + 30 days; not in the past).</param>
/// <param name="Notes">Terms and notes (at most 4000 characters).</param>
internal sealed record CreateQuoteRequest(
    Guid? CustomerId,
    Guid? OpportunityId,
    string? Title,
    IReadOnlyList<QuoteLineRequest>? Lines,
    string? Currency = null,
    DateOnly? ValidUntil = null,
    string? Notes = null) : IRequest<VersionedQuote>;

internal sealed class CreateQuoteValidator : AbstractValidator<CreateQuoteRequest>
{
    public CreateQuoteValidator(TimeProvider time)
    {
        RuleFor(r => r.CustomerId).NotNull().When(r => r.OpportunityId is null).WithMessage("customerId or opportunityId is required.");
        RuleFor(r => r.CustomerId).NotEqual(Guid.Empty);
        RuleFor(r => r.OpportunityId).NotEqual(Guid.Empty);
        RuleFor(r => r.Title).NotEmpty().MaximumLength(Quote.MaxTitleLength);
        RuleFor(r => r.Lines).NotEmpty().Must(l => l is null || l.Count <= Quote.MaxLines).WithMessage($"A quote has 1 to {Quote.MaxLines} lines.");
        RuleForEach(r => r.Lines).SetValidator(new QuoteLineValidator());
        RuleFor(r => r.Currency).Matches("^[A-Z]{3}$").When(r => r.Currency is not null).WithMessage("currency must be an ISO 4217 code such as CNY.");
        RuleFor(r => r.ValidUntil).Must(d => d is null || d >= QuoteRules.Today(time)).WithMessage("validUntil cannot be in the past.");
        RuleFor(r => r.Notes).MaximumLength(Quote.MaxNotesLength);
    }
}

internal sealed class CreateQuoteHandler(
    SalesDbContext db,
    PriceResolver prices,
    ICustomerDirectory customers,
    IAccessScopeProvider access,
    ICurrentActor actor,
    TimeProvider time) : IRequestHandler<CreateQuoteRequest, VersionedQuote>
{
    public async Task<VersionedQuote> Handle(CreateQuoteRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        Opportunity? opportunity = null;
        if (request.OpportunityId is { } opportunityId)
        {
            opportunity = await db.Opportunities.AsNoTracking().Where(o => o.Id == opportunityId).Where(scope.Filter<Opportunity>(o => o.OwnerId))
                .SingleOrDefaultAsync(cancellationToken) ?? throw QuoteProblems.UnknownOpportunity(opportunityId);
        }

        var customerId = request.CustomerId ?? opportunity!.CustomerId;
        var customer = await QuoteRules.FindCustomerAsync(customers, scope, customerId, LineDocument.Quote, cancellationToken);
        if (opportunity is not null && opportunity.CustomerId != customerId && opportunity.CustomerId != customer.Id)
        {
            throw QuoteProblems.UnknownOpportunity(opportunity.Id);
        }

        var today = QuoteRules.Today(time);
        var now = time.UtcNow();
        var currency = request.Currency ?? Quote.DefaultCurrency;
        var lines = await QuoteRules.PriceLinesAsync(db, prices, customer, currency, today, request.Lines!, LineDocument.Quote, cancellationToken);
        var threshold = await QuoteRules.ThresholdAsync(db, cancellationToken);

        // One number for all revisions, from a sequence: unique without a read-then-write race.
        var sequence = await db.Database.SqlQueryRaw<long>($"SELECT nextval('{SalesDbContext.SchemaName}.{QuotesModel.QuoteNumberSequence}') AS \"Value\"")
            .SingleAsync(cancellationToken);
        var number = FormattableString.Invariant($"Q-{today.Year}-{sequence:D6}");

        var quote = Quote.Create(
            number, customer.Id, opportunity?.Id, opportunity?.OwnerId ?? customer.OwnerId ?? actor.Id, request.Title!, currency,
            request.ValidUntil ?? today.AddDays(Quote.DefaultValidityDays), request.Notes, today, lines, threshold, now);
        db.Quotes.Add(quote);
        QuoteRules.RequestApprovalIfNeeded(db, quote, actor.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        return QuoteProjection.Versioned(quote, today);
    }
}

internal sealed record GetQuoteRequest(Guid Id) : IRequest<VersionedQuote>;

internal sealed class GetQuoteHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IRequestHandler<GetQuoteRequest, VersionedQuote>
{
    public async Task<VersionedQuote> Handle(GetQuoteRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes.AsNoTracking(), await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        return QuoteProjection.Versioned(quote, QuoteRules.Today(time));
    }
}

/// <summary>
/// A JSON merge patch of a draft, pending or approved quote. <c>lines</c> replaces every line and re-prices them for
/// today: the figures change, so the quote returns to draft, or to pending approval when a discount is over the threshold.
/// Title, validity and notes leave the status alone.
/// </summary>
/// <param name="Title">Title.</param>
/// <param name="ValidUntil">Last day the offer holds (not in the past).</param>
/// <param name="Notes">Terms and notes; null clears them.</param>
/// <param name="Lines">Replaces all lines.</param>
internal sealed record UpdateQuoteRequest(
    Optional<string> Title,
    Optional<DateOnly?> ValidUntil,
    Optional<string?> Notes,
    Optional<IReadOnlyList<QuoteLineRequest>> Lines) : IRequest<VersionedQuote>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateQuoteValidator : AbstractValidator<UpdateQuoteRequest>
{
    public UpdateQuoteValidator(TimeProvider time)
    {
        RuleFor(r => r.Title.Value).NotEmpty().MaximumLength(Quote.MaxTitleLength).When(r => r.Title.HasValue).OverridePropertyName("title");
        RuleFor(r => r.ValidUntil.Value).NotNull().Must(d => d is null || d >= QuoteRules.Today(time)).When(r => r.ValidUntil.HasValue)
            .OverridePropertyName("validUntil").WithMessage("validUntil is required and cannot be in the past.");
        RuleFor(r => r.Notes.Value).MaximumLength(Quote.MaxNotesLength).When(r => r.Notes.HasValue).OverridePropertyName("notes");
        RuleFor(r => r.Lines.Value).NotEmpty().Must(l => l is null || l.Count <= Quote.MaxLines).When(r => r.Lines.HasValue).OverridePropertyName("lines")
            .WithMessage($"A quote has 1 to {Quote.MaxLines} lines.");
        RuleForEach(r => r.Lines.Value).SetValidator(new QuoteLineValidator()).When(r => r.Lines.HasValue && r.Lines.Value is not null)
            .OverridePropertyName("lines");
    }
}

internal sealed class UpdateQuoteHandler(
    SalesDbContext db,
    PriceResolver prices,
    ICustomerDirectory customers,
    IAccessScopeProvider access,
    ICurrentActor actor,
    TimeProvider time) : IRequestHandler<UpdateQuoteRequest, VersionedQuote>
{
    public async Task<VersionedQuote> Handle(UpdateQuoteRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(quote.Version);
        if (!quote.IsEditable)
        {
            throw QuoteProblems.ReadOnly(quote);
        }

        var today = QuoteRules.Today(time);
        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        quote.Edit(request.Title.Or(quote.Title), request.ValidUntil.Or(quote.ValidUntil) ?? quote.ValidUntil, request.Notes.Or(quote.Notes), now);
        if (request.Lines.HasValue)
        {
            // The quote's customer may have been merged or moved since; its tier as of now prices the new lines.
            var found = await customers.FindAsync([quote.CustomerId], cancellationToken);
            var lines = await QuoteRules.PriceLinesAsync(
                db, prices, found.GetValueOrDefault(quote.CustomerId), quote.Currency, today, request.Lines.Value, LineDocument.Quote, cancellationToken);

            // Replaced as a whole with explicit states, so EF never mistakes a new line (its id is set) for an existing one.
            db.QuoteLines.RemoveRange(quote.Lines);
            quote.ReplaceLines(lines, today, await QuoteRules.ThresholdAsync(db, cancellationToken), now);
            db.QuoteLines.AddRange(lines);
            await QuoteRules.SyncApprovalAsync(db, quote, actor.Id, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return QuoteProjection.Versioned(quote, today);
    }
}

/// <summary>Filters of the quote list.</summary>
/// <param name="CustomerId">Only this customer's quotes.</param>
/// <param name="OpportunityId">Only this opportunity's quotes.</param>
/// <param name="OwnerId">Only this owner's quotes.</param>
/// <param name="Status">Status as shown (expired is derived: an open quote past its validity date).</param>
/// <param name="IncludeSuperseded">Also list revisions replaced by a newer one (default: latest revisions only).</param>
internal sealed record QuoteFilter(Guid? CustomerId, Guid? OpportunityId, Guid? OwnerId, QuoteStatus? Status, bool IncludeSuperseded);

internal sealed record ListQuotesRequest(PageRequest Page, string? Sort, QuoteFilter Filter) : IRequest<Page<QuoteSummaryResponse>>;

internal sealed class ListQuotesHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IRequestHandler<ListQuotesRequest, Page<QuoteSummaryResponse>>
{
    private static readonly QuoteStatus[] OpenStatuses = [QuoteStatus.Draft, QuoteStatus.PendingApproval, QuoteStatus.Approved, QuoteStatus.Sent];

    public async Task<Page<QuoteSummaryResponse>> Handle(ListQuotesRequest request, CancellationToken cancellationToken)
    {
        var order = QuoteProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var today = QuoteRules.Today(time);
        var quotes = db.Quotes.AsNoTracking().IgnoreAutoIncludes().Where(scope.Filter<Quote>(q => q.OwnerId));
        var filter = request.Filter;
        if (!filter.IncludeSuperseded)
        {
            quotes = quotes.Where(q => q.SupersededById == null);
        }

        if (filter.CustomerId is { } customerId)
        {
            quotes = quotes.Where(q => q.CustomerId == customerId);
        }

        if (filter.OpportunityId is { } opportunityId)
        {
            quotes = quotes.Where(q => q.OpportunityId == opportunityId);
        }

        if (filter.OwnerId is { } ownerId)
        {
            quotes = quotes.Where(q => q.OwnerId == ownerId);
        }

        quotes = filter.Status switch
        {
            null => quotes,
            QuoteStatus.Expired => quotes.Where(q => OpenStatuses.Contains(q.Status) && q.ValidUntil < today),
            { } open when Quote.IsOpen(open) => quotes.Where(q => q.Status == open && q.ValidUntil >= today),
            { } closed => quotes.Where(q => q.Status == closed),
        };

        var page = await quotes.ToPageAsync(QuoteProjection.ToSummary, order, request.Page, cancellationToken);
        return page with { Items = page.Items.Select(q => QuoteProjection.WithStatusOn(q, today)).ToList() };
    }
}

internal sealed record ListQuoteRevisionsRequest(Guid Id) : IRequest<IReadOnlyList<QuoteSummaryResponse>>;

internal sealed class ListQuoteRevisionsHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ListQuoteRevisionsRequest, IReadOnlyList<QuoteSummaryResponse>>
{
    public async Task<IReadOnlyList<QuoteSummaryResponse>> Handle(ListQuoteRevisionsRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes.AsNoTracking().IgnoreAutoIncludes(), scope, request.Id, cancellationToken);
        var today = QuoteRules.Today(time);
        var revisions = await db.Quotes.AsNoTracking().IgnoreAutoIncludes().Where(q => q.Number == quote.Number).OrderBy(q => q.Revision)
            .Select(QuoteProjection.ToSummary).ToListAsync(cancellationToken);
        return revisions.Select(q => QuoteProjection.WithStatusOn(q, today)).ToList();
    }
}

/// <summary>Send, accept or reject a quote (the customer's answer is recorded by the rep).</summary>
internal sealed record QuoteActionRequest(Guid Id, QuoteAction Action, string? Reason, IfMatch IfMatch) : IRequest<VersionedQuote>;

internal sealed class QuoteActionValidator : AbstractValidator<QuoteActionRequest>
{
    public QuoteActionValidator() => RuleFor(r => r.Reason).MaximumLength(Quote.MaxReasonLength).OverridePropertyName("reason");
}

internal sealed class QuoteActionHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IRequestHandler<QuoteActionRequest, VersionedQuote>
{
    public async Task<VersionedQuote> Handle(QuoteActionRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(quote.Version);
        var today = QuoteRules.Today(time);
        if (quote.SupersededById is not null)
        {
            throw QuoteProblems.ReadOnly(quote);
        }

        if (quote.StatusOn(today) == QuoteStatus.Expired)
        {
            throw QuoteProblems.Expired(quote);
        }

        if (request.Action == QuoteAction.Send && quote.Status == QuoteStatus.PendingApproval)
        {
            throw QuoteProblems.ApprovalRequired(quote);
        }

        var now = time.UtcNow();
        if (!quote.Apply(request.Action, request.Reason, now))
        {
            throw QuoteProblems.Transition(quote, request.Action);
        }

        db.AddIntegrationEvent(QuoteIntegrationEvents.For(quote, request.Action, now));
        await db.SaveChangesAsync(cancellationToken);
        return QuoteProjection.Versioned(quote, today);
    }
}

/// <summary>Revise a quote: the next version under the same number, with the same lines, as a draft (or pending approval).</summary>
/// <param name="ValidUntil">Last day the new revision holds (default today + 30 days; not in the past).</param>
internal sealed record ReviseQuoteRequest(DateOnly? ValidUntil = null) : IRequest<VersionedQuote>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class ReviseQuoteValidator : AbstractValidator<ReviseQuoteRequest>
{
    public ReviseQuoteValidator(TimeProvider time) =>
        RuleFor(r => r.ValidUntil).Must(d => d is null || d >= QuoteRules.Today(time)).WithMessage("validUntil cannot be in the past.");
}

internal sealed class ReviseQuoteHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ReviseQuoteRequest, VersionedQuote>
{
    public async Task<VersionedQuote> Handle(ReviseQuoteRequest request, CancellationToken cancellationToken)
    {
        var quote = await QuoteRules.FindVisibleAsync(db.Quotes, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(quote.Version);
        if (!quote.CanBeRevised)
        {
            throw quote.SupersededById is not null
                ? new ConflictException(QuoteProblems.AlreadyRevisedType, "Quote already revised", $"{quote.DisplayNumber} already has a newer revision; revise that one.")
                : new ConflictException(QuoteProblems.StatusType, "Not allowed in this status", $"{quote.DisplayNumber} is accepted; an order follows it, not a revision.");
        }

        var today = QuoteRules.Today(time);
        var now = time.UtcNow();
        var next = quote.Revise(request.ValidUntil ?? today.AddDays(Quote.DefaultValidityDays), await QuoteRules.ThresholdAsync(db, cancellationToken), now);
        db.Quotes.Add(next);

        // The old figures' pending request goes with the old revision; the new revision raises its own when it needs one.
        await QuoteRules.WithdrawPendingAsync(db, quote.Id, now, cancellationToken);
        QuoteRules.RequestApprovalIfNeeded(db, next, actor.Id, now);
        await db.SaveChangesOrConflictAsync(
            _ => new ConflictException(QuoteProblems.AlreadyRevisedType, "Quote already revised", $"{quote.DisplayNumber} was revised concurrently; revise the newer revision."),
            cancellationToken);

        return QuoteProjection.Versioned(next, today);
    }
}
