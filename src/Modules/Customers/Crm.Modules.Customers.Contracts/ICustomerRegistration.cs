using System.Text.Json;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// Creates customers and contacts for other modules (lead conversion), through the same code as
/// <c>POST /api/v1/customers</c> and <c>POST /api/v1/customers/{id}/contacts</c>: the same validation (400 with the
/// field names of those endpoints), owner rules (403 / 422), duplicate check (409 <c>duplicate-customer</c> with the
/// candidates unless confirmed), custom fields, events and audit. It acts for the current caller, whose visibility
/// applies. Each call commits on its own.
/// <para>
/// Idempotent on the id the caller chooses: registering an id that already exists returns that record unchanged
/// (<c>Created: false</c>), so a caller that failed after a registration can repeat it without creating a second one.
/// </para>
/// </summary>
public interface ICustomerRegistration
{
    Task<RegisteredCustomer> RegisterCustomerAsync(NewCustomer customer, CancellationToken ct);

    Task<RegisteredContact> AddContactAsync(NewContact contact, CancellationToken ct);
}

/// <summary>Organization (企业客户) or individual (个人客户).</summary>
public enum NewCustomerKind
{
    /// <summary>A company or another organization.</summary>
    Organization,

    /// <summary>A person.</summary>
    Individual,
}

/// <summary>A customer to create; the fields are those of <c>POST /api/v1/customers</c>.</summary>
/// <param name="Id">The id it gets: the idempotency key of the registration (a UUID v7 the caller keeps).</param>
/// <param name="Kind">Organization or individual.</param>
/// <param name="Name">Full name.</param>
public sealed record NewCustomer(Guid Id, NewCustomerKind Kind, string Name)
{
    public string? ShortName { get; init; }

    public string? RegistrationNumber { get; init; }

    public string? Industry { get; init; }

    public string? SourceChannel { get; init; }

    public string? Province { get; init; }

    public string? City { get; init; }

    public string? District { get; init; }

    public string? Address { get; init; }

    public IReadOnlyList<string> Phones { get; init; } = [];

    public IReadOnlyList<string> Emails { get; init; } = [];

    public string? Website { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Tier { get; init; }

    /// <summary>Owner; the caller when null. Only managers (team subtree) and administrators may name someone else.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>Custom field values keyed by field key.</summary>
    public IReadOnlyDictionary<string, JsonElement>? CustomFields { get; init; }

    /// <summary>Create it even though existing customers share its name, phone, email or registration number.</summary>
    public bool ConfirmDuplicate { get; init; }
}

/// <summary>The customer a registration created or found.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Code">Its code.</param>
/// <param name="Created">False when a customer with the id existed already (a repeated registration).</param>
public sealed record RegisteredCustomer(Guid Id, string Code, bool Created);

/// <summary>A contact to add to a customer the caller can see; the fields are those of <c>POST /api/v1/customers/{id}/contacts</c>.</summary>
/// <param name="Id">The id it gets: the idempotency key of the registration.</param>
/// <param name="CustomerId">Its customer.</param>
/// <param name="Name">Name.</param>
public sealed record NewContact(Guid Id, Guid CustomerId, string Name)
{
    public string? Title { get; init; }

    public IReadOnlyList<string> Phones { get; init; } = [];

    public IReadOnlyList<string> Emails { get; init; } = [];

    public string? WeChatId { get; init; }

    /// <summary>Custom field values keyed by field key.</summary>
    public IReadOnlyDictionary<string, JsonElement>? CustomFields { get; init; }
}

/// <summary>The contact a registration created or found.</summary>
/// <param name="Id">Its id.</param>
/// <param name="CustomerId">Its customer.</param>
/// <param name="Created">False when a contact with the id existed already.</param>
public sealed record RegisteredContact(Guid Id, Guid CustomerId, bool Created);
