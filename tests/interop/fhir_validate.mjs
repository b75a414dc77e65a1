// FHIR.js (the npm `fhir` package, Lantana Consulting Group) validates a resource read from
// stdin against the FHIR R4 structure definitions it ships; prints {valid, messages}.
import fhirpkg from "fhir";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const fhir = new fhirpkg.Fhir();
console.log(JSON.stringify(fhir.validate(JSON.parse(text))));
