using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Contacts;

/// <summary>Add a contact (联系人) to a customer the caller can see. Consents start unknown; change them with POST /contacts/{id}/consents.</summary>
/// <param name="Name">Name (required).</param>
/// <param name="Title">Job title (职务).</param>
/// <param name="DecisionRole">Role in the buying decision: decisionMaker, influencer, user or gatekeeper.</param>
/// <param name="Phones">Phone numbers.</param>
/// <param name="Emails">Email addresses.</param>
/// <param name="WeChatId">WeChat id.</param>
/// <param name="Birthday">Birthday (yyyy-MM-dd).</param>
/// <param name="PreferredChannel">phone, email, sms, wechat, visit or mail.</param>
/// <param name="ContactWindow">Preferred contact time window: days, from, to (local time) and an IANA time zone.</param>
/// <param name="CustomFields">Values of the custom fields (GET /api/v1/custom-fields/contacts), keyed by field key; every active required field must be given.</param>
internal sealed record CreateContactRequest(
    string Name,
    string? Title = null,
    DecisionRole? DecisionRole = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? WeChatId = null,
    DateOnly? Birthday = null,
    ContactChannel? PreferredChannel = null,
    ContactWindow? ContactWindow = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null) : IRequest<VersionedContact>
{
    [JsonIgnore]
    public Guid CustomerId { get; init; }

    /// <summary>Set only by <see cref="Registration.CustomerRegistration"/>: the id another module chose; never from the body.</summary>
    [JsonIgnore]
    public Guid? Id { get; init; }

    public ContactDetails ToDetails() =>
        new(Name ?? string.Empty, Title, DecisionRole, Phones ?? [], Emails ?? [], WeChatId, Birthday, PreferredChannel, ContactWindow);
}

internal sealed class CreateContactValidator : AbstractValidator<CreateContactRequest>
{
    public CreateContactValidator(ContactDetailsValidator details)
    {
        RuleFor(r => r.ToDetails()).Custom((value, context) =>
        {
            foreach (var failure in details.Validate(value).Errors)
            {
                context.AddFailure(failure.PropertyName, failure.ErrorMessage);
            }
        });
    }
}

internal sealed class CreateContactHandler(CustomersDbContext db, IAccessScopeProvider access, RecordInputs inputs, TimeProvider time)
    : IRequestHandler<CreateContactRequest, VersionedContact>
{
    public async Task<VersionedContact> Handle(CreateContactRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        var details = await inputs.ForNewContactAsync(request.ToDetails(), request.CustomFields, cancellationToken);
        var contact = Contact.Create(customer.Id, customer.OwnerId, details, time.UtcNow(), request.Id);
        db.Contacts.Add(contact);
        await db.SaveChangesAsync(cancellationToken);
        return await ContactProjection.VersionedAsync(db, contact, cancellationToken);
    }
}

internal sealed record GetContactRequest(Guid Id) : IRequest<VersionedContact>;

internal sealed class GetContactHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<GetContactRequest, VersionedContact>
{
    public async Task<VersionedContact> Handle(GetContactRequest request, CancellationToken cancellationToken)
    {
        var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts.AsNoTracking(), access, request.Id, cancellationToken);
        return await ContactProjection.VersionedAsync(db, contact, cancellationToken);
    }
}

internal sealed record ListContactsRequest(Guid CustomerId, PageRequest Page, string? Sort, bool IncludeArchived) : IRequest<Page<ContactResponse>>;

internal sealed class ListContactsHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<ListContactsRequest, Page<ContactResponse>>
{
    public async Task<Page<ContactResponse>> Handle(ListContactsRequest request, CancellationToken cancellationToken)
    {
        var order = ContactProjection.Sort.Parse(request.Sort);
        await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken);
        var contacts = db.Contacts.AsNoTracking().Where(c => c.CustomerId == request.CustomerId);
        if (!request.IncludeArchived)
        {
            contacts = contacts.Where(c => !c.IsArchived);
        }

        var page = await contacts.ToPageAsync(c => c, order, request.Page, cancellationToken);
        return new Page<ContactResponse>(await ContactProjection.WithConsentsAsync(db, page.Items, cancellationToken), page.NextCursor) { Total = page.Total };
    }
}

/// <summary>
/// A JSON merge patch of a contact: absent members stay, <c>null</c> clears (lists become empty). Consents are
/// not here: they change only through POST /contacts/{id}/consents, which keeps their history.
/// </summary>
/// <param name="Name">Name.</param>
/// <param name="Title">Job title.</param>
/// <param name="DecisionRole">Role in the buying decision.</param>
/// <param name="Phones">The complete new list of phones.</param>
/// <param name="Emails">The complete new list of emails.</param>
/// <param name="WeChatId">WeChat id.</param>
/// <param name="Birthday">Birthday.</param>
/// <param name="PreferredChannel">Preferred channel.</param>
/// <param name="ContactWindow">The complete new contact window, or null to remove it.</param>
/// <param name="CustomFields">A merge patch of the custom field values: a value sets the key, null removes it, absent keys stay; null removes them all.</param>
internal sealed record UpdateContactRequest(
    Optional<string> Name,
    Optional<string?> Title,
    Optional<DecisionRole?> DecisionRole,
    Optional<IReadOnlyList<string>?> Phones,
    Optional<IReadOnlyList<string>?> Emails,
    Optional<string?> WeChatId,
    Optional<DateOnly?> Birthday,
    Optional<ContactChannel?> PreferredChannel,
    Optional<ContactWindow?> ContactWindow,
    Optional<IReadOnlyDictionary<string, JsonElement>?> CustomFields) : IRequest<VersionedContact>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public ContactDetails MergeInto(ContactDetails current) => new(
        Name.Or(current.Name) ?? string.Empty,
        Title.Or(current.Title),
        DecisionRole.Or(current.DecisionRole),
        Phones.Or(current.Phones) ?? [],
        Emails.Or(current.Emails) ?? [],
        WeChatId.Or(current.WeChatId),
        Birthday.Or(current.Birthday),
        PreferredChannel.Or(current.PreferredChannel),
        ContactWindow.Or(current.Window))
    {
        CustomFields = current.CustomFields,
    };
}

internal sealed class UpdateContactHandler(
    CustomersDbContext db, IAccessScopeProvider access, ContactDetailsValidator validator, RecordInputs inputs, TimeProvider time)
    : IRequestHandler<UpdateContactRequest, VersionedContact>
{
    public async Task<VersionedContact> Handle(UpdateContactRequest request, CancellationToken cancellationToken)
    {
        var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(contact.Version);
        if (contact.IsArchived)
        {
            throw CustomersProblems.ContactArchived(contact.Id);
        }

        var details = request.MergeInto(contact.Details());
        await validator.EnsureValidAsync(details, cancellationToken);
        details = await inputs.ForChangedContactAsync(details, request.CustomFields, cancellationToken);
        contact.Update(details, time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return await ContactProjection.VersionedAsync(db, contact, cancellationToken);
    }
}

/// <summary>DELETE is a soft delete: the contact is archived, its consent history stays.</summary>
internal sealed record ArchiveContactRequest(Guid Id, IfMatch IfMatch) : IRequest<VersionedContact>;

internal sealed class ArchiveContactHandler(CustomersDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ArchiveContactRequest, VersionedContact>
{
    public async Task<VersionedContact> Handle(ArchiveContactRequest request, CancellationToken cancellationToken)
    {
        var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(contact.Version);
        contact.Archive(time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return await ContactProjection.VersionedAsync(db, contact, cancellationToken);
    }
}

/// <summary>Record a change of the contact's consent on one channel. An opt-out can only be lifted by an explicit grant.</summary>
/// <param name="Channel">phone, email, sms, wechat, visit or mail (required).</param>
/// <param name="State">granted, optedOut or unknown (required).</param>
/// <param name="Source">Where the change came from, e.g. "unsubscribe link", "phone call on 2026-11-20" (required).</param>
internal sealed record ChangeConsentRequest(ContactChannel? Channel, ConsentState? State, string Source) : IRequest<VersionedContact>
{
    [JsonIgnore]
    public Guid ContactId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class ChangeConsentValidator : AbstractValidator<ChangeConsentRequest>
{
    public ChangeConsentValidator()
    {
        RuleFor(r => r.Channel).NotNull().WithMessage("channel is required: phone, email, sms, wechat, visit or mail.");
        RuleFor(r => r.State).NotNull().WithMessage("state is required: granted, optedOut or unknown.");
        RuleFor(r => r.Source).NotEmpty().MaximumLength(200);
    }
}

internal sealed class ChangeConsentHandler(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ChangeConsentRequest, VersionedContact>
{
    public async Task<VersionedContact> Handle(ChangeConsentRequest request, CancellationToken cancellationToken)
    {
        // Archived contacts still take consent changes: an opt-out must be recordable whatever the contact's state.
        var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts, access, request.ContactId, cancellationToken);
        request.IfMatch.EnsureMatches(contact.Version);
        var channel = request.Channel!.Value;
        var current = await db.ContactConsentChanges
            .Where(c => c.ContactId == contact.Id && c.Channel == channel)
            .OrderByDescending(c => c.Id)
            .Select(c => (ConsentState?)c.State)
            .FirstOrDefaultAsync(cancellationToken) ?? ConsentState.Unknown;
        var state = request.State!.Value;
        if (current == ConsentState.OptedOut && state == ConsentState.Unknown)
        {
            // Forgetting an opt-out is how opted-out customers end up on mailing lists again.
            throw CustomersProblems.OptOutSticks(contact.Id, channel);
        }

        var now = time.UtcNow();
        db.ContactConsentChanges.Add(ContactConsentChange.Create(contact.Id, channel, current, state, request.Source, actor.Id, now));
        contact.ConsentChanged(now);
        await db.SaveChangesAsync(cancellationToken);
        return await ContactProjection.VersionedAsync(db, contact, cancellationToken);
    }
}

/// <summary>A contact's consent changes, newest first.</summary>
internal sealed record ListConsentChangesRequest(Guid ContactId) : IRequest<IReadOnlyList<ConsentChangeResponse>>;

/// <summary>One recorded consent change.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="PreviousState">The state before.</param>
/// <param name="State">The state after.</param>
/// <param name="Source">Where the change came from.</param>
/// <param name="ActorId">The user or API key that recorded it.</param>
/// <param name="ChangedAt">When.</param>
internal sealed record ConsentChangeResponse(ContactChannel Channel, ConsentState PreviousState, ConsentState State, string Source, Guid? ActorId, DateTimeOffset ChangedAt);

internal sealed class ListConsentChangesHandler(CustomersDbContext db, IAccessScopeProvider access)
    : IRequestHandler<ListConsentChangesRequest, IReadOnlyList<ConsentChangeResponse>>
{
    public async Task<IReadOnlyList<ConsentChangeResponse>> Handle(ListConsentChangesRequest request, CancellationToken cancellationToken)
    {
        var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts.AsNoTracking(), access, request.ContactId, cancellationToken);
        return await db.ContactConsentChanges.AsNoTracking()
            .Where(c => c.ContactId == contact.Id)
            .OrderByDescending(c => c.Id)
            .Select(c => new ConsentChangeResponse(c.Channel, c.PreviousState, c.State, c.Source, c.ActorId, c.ChangedAt))
            .ToListAsync(cancellationToken);
    }
}
