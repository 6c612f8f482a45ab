//! Reading a credential request in either version's words.

use serde_json::Value;

use super::{
    CredentialForm, CredentialRequest, Oid4vciError, RequestShape, CONFIGURATION_JWT,
    CONFIGURATION_LDP,
};

/// Which form a request asks for, and in which version's words.
pub(super) fn requested(
    request: &CredentialRequest,
) -> Result<(CredentialForm, RequestShape), Oid4vciError> {
    if let Some(id) = &request.credential_configuration_id {
        let form = match id.as_str() {
            CONFIGURATION_JWT => CredentialForm::VcJwt,
            CONFIGURATION_LDP => CredentialForm::DataIntegrity,
            other => {
                return Err(Oid4vciError::UnknownConfiguration(
                    other.chars().take(80).collect(),
                ))
            }
        };
        return Ok((form, RequestShape::Final));
    }
    if let Some(id) = &request.credential_identifier {
        // The token response names no credential identifiers, so none can be asked for.
        return Err(Oid4vciError::UnknownIdentifier(
            id.chars().take(80).collect(),
        ));
    }
    let Some(format) = &request.format else {
        return Err(Oid4vciError::InvalidCredentialRequest(
            "name the credential: credential_configuration_id (OpenID4VCI 1.0) or format and \
             credential_definition (draft 13)"
                .into(),
        ));
    };
    let form = match format.as_str() {
        "jwt_vc_json" => CredentialForm::VcJwt,
        "ldp_vc" => CredentialForm::DataIntegrity,
        other => {
            return Err(Oid4vciError::UnsupportedFormat(
                other.chars().take(40).collect(),
            ))
        }
    };
    let types = request
        .credential_definition
        .as_ref()
        .and_then(|d| d.get("type").or_else(|| d.get("types")))
        .or(request.types.as_ref());
    if let Some(types) = types {
        let names_badge = match types {
            Value::Array(ts) => ts.iter().any(|t| t == "OpenBadgeCredential"),
            Value::String(t) => t == "OpenBadgeCredential",
            _ => false,
        };
        if !names_badge {
            return Err(Oid4vciError::UnsupportedType);
        }
    }
    Ok((form, RequestShape::Draft13))
}

/// The one JWT key proof of a request: `proofs.jwt[0]` (1.0) or `proof.jwt` (draft 13).
pub(super) fn proof_jwt(request: &CredentialRequest) -> Result<String, String> {
    match (&request.proof, &request.proofs) {
        (Some(_), Some(_)) => Err("send proof or proofs, not both".into()),
        (None, None) => Err(
            "a key proof is required: sign the c_nonce with the key the \
                             badge is to be bound to"
                .into(),
        ),
        (Some(proof), None) => {
            let kind = proof.get("proof_type").and_then(Value::as_str);
            if kind != Some("jwt") {
                return Err(format!(
                    "the proof_type is {}; only jwt proofs are accepted",
                    kind.map_or("missing".to_string(), |k| format!("{k:?}"))
                ));
            }
            proof
                .get("jwt")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| "the proof has no jwt".into())
        }
        (None, Some(proofs)) => {
            let Some(proofs) = proofs.as_object() else {
                return Err("proofs is not an object".into());
            };
            if proofs.keys().any(|k| k != "jwt") {
                return Err("only jwt proofs are accepted".into());
            }
            match proofs
                .get("jwt")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([Value::String(jwt)]) => Ok(jwt.clone()),
                Some([_]) => Err("proofs.jwt holds something other than a JWT".into()),
                Some(_) => Err(
                    "one key proof exactly: this issuer delivers one credential \
                                per offer"
                        .into(),
                ),
                None => Err("proofs.jwt is not a list of JWTs".into()),
            }
        }
    }
}
