using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>
/// Convert an open lead (线索转化) into a customer, or link it to an existing one, optionally with a contact and an
/// opportunity. Without <c>customerId</c> a new customer is created from the lead (overridable with
/// <c>createCustomer</c>); when existing customers look like the same party the answer is 409
/// <c>duplicate-customer</c> with the candidates, unless <c>confirmDuplicate</c> is true.
/// </summary>
/// <param name="CustomerId">Link to this existing customer instead of creating one.</param>
/// <param name="CreateCustomer">Values of the new customer that differ from the lead's (not with customerId).</param>
/// <param name="Contact">Create a contact of the customer; absent members come from the lead's person.</param>
/// <param name="CreateOpportunity">Open an opportunity in the default pipeline's first stage, owned by the lead's owner.</param>
/// <param name="ConfirmDuplicate">Create the customer even though existing customers share its name, phone, email or registration number.</param>
internal sealed record ConvertLeadRequest(
    Guid? CustomerId = null,
    LeadConversionCustomer? CreateCustomer = null,
    LeadConversionContact? Contact = null,
    LeadConversionOpportunity? CreateOpportunity = null,
    bool? ConfirmDuplicate = null) : IRequest<LeadConversionResult>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>The new customer of a conversion: every member defaults from the lead (name: company, else person; kind: organization when the lead has a company).</summary>
/// <param name="Kind">organization or individual.</param>
/// <param name="Name">Full name.</param>
/// <param name="ShortName">Short name (简称).</param>
/// <param name="RegistrationNumber">Unified social credit code or resident ID number.</param>
/// <param name="Industry">Industry (default: the lead's).</param>
/// <param name="Province">Province (default: the lead's).</param>
/// <param name="City">City (default: the lead's).</param>
/// <param name="District">District or county.</param>
/// <param name="Address">Street address.</param>
/// <param name="Phones">Phones (default: the lead's).</param>
/// <param name="Emails">Emails (default: the lead's).</param>
/// <param name="Website">Website.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Tier">Value tier.</param>
/// <param name="CustomFields">Custom field values of customers, keyed by field key.</param>
internal sealed record LeadConversionCustomer(
    NewCustomerKind? Kind = null,
    string? Name = null,
    string? ShortName = null,
    string? RegistrationNumber = null,
    string? Industry = null,
    string? Province = null,
    string? City = null,
    string? District = null,
    string? Address = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? Website = null,
    IReadOnlyList<string>? Tags = null,
    string? Tier = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null);

/// <summary>The contact of a conversion; absent members come from the lead.</summary>
/// <param name="Name">Name (default: the lead's person).</param>
/// <param name="Title">Job title (default: the lead's).</param>
/// <param name="Phones">Phones (default: the lead's).</param>
/// <param name="Emails">Emails (default: the lead's).</param>
/// <param name="WeChatId">WeChat id.</param>
/// <param name="CustomFields">Custom field values of contacts, keyed by field key.</param>
internal sealed record LeadConversionContact(
    string? Name = null,
    string? Title = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? WeChatId = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null);

/// <summary>The opportunity of a conversion.</summary>
/// <param name="Name">Name (required, at most 200 characters).</param>
/// <param name="Amount">Expected amount, 0 or more (default: the lead's estimated value, else 0).</param>
/// <param name="Currency">ISO 4217 currency (default: the lead's).</param>
/// <param name="ExpectedCloseDate">Expected close date.</param>
internal sealed record LeadConversionOpportunity(string? Name, decimal? Amount = null, string? Currency = null, DateOnly? ExpectedCloseDate = null);

/// <summary>What a conversion produced.</summary>
/// <param name="Lead">The converted lead, with its lineage.</param>
/// <param name="CustomerId">The customer it became or was linked to.</param>
/// <param name="CustomerCreated">True when this conversion created the customer.</param>
/// <param name="ContactId">The contact it created, if any.</param>
/// <param name="OpportunityId">The opportunity it opened, if any.</param>
internal sealed record LeadConversionResponse(LeadResponse Lead, Guid CustomerId, bool CustomerCreated, Guid? ContactId, Guid? OpportunityId);

/// <summary>A conversion with the lead's new row version (its ETag).</summary>
internal sealed record LeadConversionResult(LeadConversionResponse Conversion, uint Version);

internal sealed class ConvertLeadValidator : AbstractValidator<ConvertLeadRequest>
{
    public ConvertLeadValidator()
    {
        RuleFor(r => r.CreateCustomer).Null().When(r => r.CustomerId is not null)
            .WithMessage("Give either customerId (link an existing customer) or createCustomer, not both.");
        RuleFor(r => r.Contact!.Name).MaximumLength(100).When(r => r.Contact is not null).OverridePropertyName("contact.name");
        RuleFor(r => r.Contact!.Title).MaximumLength(100).When(r => r.Contact is not null).OverridePropertyName("contact.title");
        When(r => r.CreateOpportunity is not null, () =>
        {
            RuleFor(r => r.CreateOpportunity!.Name).NotEmpty().WithMessage("name is required.").MaximumLength(200).OverridePropertyName("createOpportunity.name");
            RuleFor(r => r.CreateOpportunity!.Amount).GreaterThanOrEqualTo(0m).WithMessage("amount must be 0 or more.")
                .PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("createOpportunity.amount");
            RuleFor(r => r.CreateOpportunity!.Currency).Matches("^[A-Z]{3}$").When(r => r.CreateOpportunity!.Currency is not null)
                .WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("createOpportunity.currency");
        });
    }
}

/// <summary>
/// The customer and contact are written by the Customers module in its own transactions, the lead and opportunity
/// here in one: the two cannot share a transaction. Consistency comes from the ids (ADR 0016): the customer and
/// contact created from a lead take the lead's id, and <see cref="ICustomerRegistration"/> is idempotent on it, so a
/// conversion that failed after the customer was committed is simply repeated and finds that customer instead of
/// creating a second one; the lead's row version makes concurrent conversions of one lead end in one winner.
/// </summary>
internal sealed class ConvertLeadHandler(
    SalesDbContext db,
    IAccessScopeProvider access,
    IUserDirectory users,
    ICustomerDirectory customers,
    ICustomerRegistration registration,
    TimeProvider time) : IRequestHandler<ConvertLeadRequest, LeadConversionResult>
{
    public async Task<LeadConversionResult> Handle(ConvertLeadRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(lead.Version);
        if (lead.Status == LeadStatus.Converted)
        {
            throw LeadsProblems.AlreadyConverted(lead);
        }

        if (!lead.IsOpen)
        {
            throw LeadsProblems.LeadClosed(lead);
        }

        var (ownerId, teamId) = await OwnerAsync(lead, scope, cancellationToken);
        var contactName = request.Contact is null ? null : request.Contact.Name ?? lead.PersonName;
        if (request.Contact is not null && string.IsNullOrWhiteSpace(contactName))
        {
            throw ValidationFailedException.For("contact.name", "contact.name is required: the lead has no person name.");
        }

        // Checked before anything is written, so a missing pipeline does not leave a customer behind.
        var stage = request.CreateOpportunity is null ? null : await FirstStageAsync(cancellationToken);

        var (customerId, customerCreated) = request.CustomerId is { } existingId
            ? (await LinkAsync(existingId, scope, request.Contact is not null, cancellationToken), false)
            : await RegisterCustomerAsync(lead, request, ownerId, cancellationToken);

        Guid? contactId = null;
        if (request.Contact is { } contact)
        {
            var registered = await Prefixed("contact", () => registration.AddContactAsync(
                new NewContact(lead.Id, customerId, contactName!)
                {
                    Title = contact.Title ?? lead.Title,
                    Phones = contact.Phones ?? lead.Phones,
                    Emails = contact.Emails ?? lead.Emails,
                    WeChatId = contact.WeChatId,
                    CustomFields = contact.CustomFields,
                },
                cancellationToken));
            contactId = registered.Id;
        }

        var now = time.UtcNow();
        Opportunity? opportunity = null;
        if (request.CreateOpportunity is { } wanted)
        {
            opportunity = Opportunity.Create(
                wanted.Name!, customerId, contactId, lead.Id, stage!, wanted.Amount ?? lead.EstimatedValue ?? 0m, wanted.Currency ?? lead.Currency,
                wanted.ExpectedCloseDate, ownerId, teamId, now);
            opportunity.AssignPartner(lead.PartnerId);
            db.Opportunities.Add(opportunity);
            db.AddIntegrationEvent(Opportunities.OpportunityStageEvents.Created(opportunity));
        }

        lead.Convert(customerId, contactId, opportunity?.Id, ownerId, teamId, now);
        db.AddIntegrationEvent(new LeadConverted(now)
        {
            LeadId = lead.Id,
            CustomerId = customerId,
            CustomerCreated = customerCreated,
            ContactId = contactId,
            OpportunityId = opportunity?.Id,
            CompanyName = lead.CompanyName,
            PersonName = lead.PersonName,
            Source = lead.Source,
            CampaignId = lead.CampaignId,
            PartnerId = lead.PartnerId,
            OwnerId = ownerId,
        });

        // One save: the opportunity, the lead's lineage and both events commit together. A concurrent change of the
        // lead (another conversion) fails it on the row version: 412 with If-Match, else 409.
        await db.SaveChangesAsync(cancellationToken);
        return new LeadConversionResult(
            new LeadConversionResponse(LeadProjection.From(lead), customerId, customerCreated, contactId, opportunity?.Id), lead.Version);
    }

    /// <summary>The lead's owner; an unassigned lead goes to the user converting it.</summary>
    private async Task<(Guid OwnerId, Guid? TeamId)> OwnerAsync(Lead lead, AccessScope scope, CancellationToken ct)
    {
        if (lead.OwnerId is { } ownerId)
        {
            return (ownerId, lead.TeamId);
        }

        var caller = scope.UserId ?? throw LeadsProblems.LeadUnassigned(lead);
        var user = await users.FindByIdAsync(caller, ct);
        return (caller, user?.TeamId);
    }

    private async Task<Guid> LinkAsync(Guid customerId, AccessScope scope, bool withContact, CancellationToken ct)
    {
        var found = await customers.FindAsync([customerId], ct);

        // Pool customers may be linked (everyone may see them), but take a contact only once claimed, as in Customers.
        if (!found.TryGetValue(customerId, out var customer) || !scope.CanSee(customer.OwnerId, includeUnowned: !withContact))
        {
            throw LeadsProblems.UnknownCustomer(customerId);
        }

        return customer.Status is "archived" or "blacklisted"
            ? throw LeadsProblems.CustomerNotOpen(customer.Code, customer.Status)
            : customer.Id;
    }

    private async Task<(Guid, bool)> RegisterCustomerAsync(Lead lead, ConvertLeadRequest request, Guid ownerId, CancellationToken ct)
    {
        var options = request.CreateCustomer ?? new LeadConversionCustomer();
        var kind = options.Kind ?? (lead.CompanyName is null ? NewCustomerKind.Individual : NewCustomerKind.Organization);
        var customer = new NewCustomer(lead.Id, kind, options.Name ?? lead.CompanyName ?? lead.PersonName ?? string.Empty)
        {
            ShortName = options.ShortName,
            RegistrationNumber = options.RegistrationNumber,
            Industry = options.Industry ?? lead.Industry,
            SourceChannel = lead.Source,
            Province = options.Province ?? lead.Province,
            City = options.City ?? (options.Province is null ? lead.City : null),
            District = options.District,
            Address = options.Address,
            Phones = options.Phones ?? lead.Phones,
            Emails = options.Emails ?? lead.Emails,
            Website = options.Website,
            Tags = options.Tags ?? [],
            Tier = options.Tier,
            OwnerId = ownerId,
            CustomFields = options.CustomFields,
            ConfirmDuplicate = request.ConfirmDuplicate ?? false,
        };
        var registered = await Prefixed("createCustomer", () => registration.RegisterCustomerAsync(customer, ct));
        return (registered.Id, registered.Created);
    }

    private async Task<PipelineStage> FirstStageAsync(CancellationToken ct) =>
        await db.PipelineStages
            .Where(s => s.Kind == StageKind.Open && s.Active && db.Pipelines.Any(p => p.Id == s.PipelineId && p.IsDefault && p.Active))
            .OrderBy(s => s.Position)
            .FirstOrDefaultAsync(ct)
        ?? throw new BusinessRuleException(ProblemTypes.BusinessRule, "No default pipeline", "No active default pipeline with an open stage: the opportunity cannot be opened.");

    /// <summary>The Customers module names its own fields; the client sent them under <paramref name="member"/>.</summary>
    private static async Task<T> Prefixed<T>(string member, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ValidationFailedException ex)
        {
            throw ValidationFailedException.From(ex.Errors.SelectMany(e => e.Value.Select(message => ($"{member}.{e.Key}", message))));
        }
    }
}
