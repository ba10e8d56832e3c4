namespace Crm.SharedKernel.Security;

/// <summary>The claims every authenticated caller carries, whatever authenticated it (JWT or API key).</summary>
public static class CrmClaimTypes
{
    /// <summary>The user id (uuid), or the API key id for an integration.</summary>
    public const string Subject = "sub";

    public const string Name = "name";

    public const string Email = "email";

    /// <summary>One claim per role (<c>admin</c>, <c>salesRep</c>, ...).</summary>
    public const string Role = "role";

    /// <summary>One claim per granted scope of an API key (<c>customers:read</c>, ...).</summary>
    public const string Scope = "scope";

    /// <summary>The user's team id, when they belong to one.</summary>
    public const string Team = "team";

    /// <summary><c>user</c> or <c>apiKey</c>.</summary>
    public const string ActorKind = "actor_kind";
}
