// Found by the long fuzz run (npm run fuzz -- --count 2000 --seed 50000, model
// 50778): with its entry absorbed, a thread starts in one of several states, and
// two initial states break different rules (an assertion in one, a bad unlock in
// the other). TLC met one first, the explorer the other: both are shortest
// findings, and which comes first is only the order of the search. Fixed in the
// comparison (test/fuzz/differential.ts): the explorer lists every rule broken at
// the finding's depth (`ties`), and TLC's must be one of them.
import { build } from "../models.js";

export default build(
  "tied-first-findings",
  {
   "processes": [
    {
     "mmapPolicy": "recursive-read"
    }
   ],
   "locks": [
    {
     "kind": "spinlock",
     "process": 0
    }
   ],
   "vars": [
    {
     "kind": "bool",
     "init": false
    },
    {
     "kind": "enum",
     "values": 3,
     "init": 1
    }
   ],
   "regions": [
    {
     "process": 0,
     "pinned": true,
     "fault": 1
    }
   ],
   "procs": [],
   "threads": [
    {
     "process": 1,
     "body": [
      {
       "k": "while",
       "c": {
        "k": "lit",
        "value": true
       },
       "bound": 1,
       "body": [
        {
         "k": "access",
         "region": 6,
         "op": 4,
         "onFault": null
        }
       ]
      },
      {
       "k": "try",
       "lock": 3,
       "write": false,
       "then": [],
       "else": [
        {
         "k": "access",
         "region": 0,
         "op": 3,
         "onFault": null
        }
       ],
       "unlock": true
      },
      {
       "k": "if",
       "c": {
        "k": "and",
        "a": {
         "k": "lit",
         "value": true
        },
        "b": {
         "k": "lit",
         "value": true
        }
       },
       "then": [
        {
         "k": "return"
        },
        {
         "k": "call",
         "proc": 2
        }
       ],
       "else": []
      }
     ]
    },
    {
     "process": 1,
     "body": [
      {
       "k": "access",
       "region": 2,
       "op": 2,
       "onFault": []
      },
      {
       "k": "call",
       "proc": 2
      },
      {
       "k": "set",
       "v": 7,
       "value": {
        "k": "lit",
        "x": 3
       }
      },
      {
       "k": "access",
       "region": 7,
       "op": 3,
       "onFault": null
      }
     ]
    },
    {
     "process": 1,
     "body": [
      {
       "k": "optlock",
       "lock": 2,
       "write": false,
       "body": []
      },
      {
       "k": "while",
       "c": {
        "k": "var",
        "v": 0,
        "op": ">=",
        "x": 1
       },
       "bound": 1,
       "body": []
      }
     ]
    },
    {
     "process": 1,
     "body": [
      {
       "k": "set",
       "v": 6,
       "value": {
        "k": "lit",
        "x": 2
       }
      },
      {
       "k": "access",
       "region": 6,
       "op": 5,
       "onFault": [
        {
         "k": "crit",
         "lock": 7,
         "write": true,
         "body": [
          {
           "k": "access",
           "region": 1,
           "op": 0,
           "onFault": []
          }
         ],
         "end": "maybe"
        }
       ]
      }
     ]
    }
   ],
   "invariants": [],
   "termination": false,
   "clean": false,
   "hostile": null
  },
);
